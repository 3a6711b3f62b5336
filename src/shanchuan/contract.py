"""The versioned JSON contract: the one ``schema_version`` and the JSON Schema files it publishes.

Every JSON the tool writes — ``--format json`` of ``match``/``allocate``/``run``/``compare``,
``result.json`` and ``manifest.json`` of a run folder, a sweep's ``summary.json``, the service's
responses — carries ``schema_version`` (:data:`SCHEMA_VERSION`) at its top level. The JSON
Schema files (draft 2020-12) in ``shanchuan/data/schemas/`` are generated here, never written by
hand: the input tables from :data:`shanchuan.schemas.SCHEMAS`, the scenario from the settings
tree (:data:`shanchuan.scenario.KNOWN`), the table rows of the outputs from the output column
table (:mod:`shanchuan.outputs.columns`), and the keys of each output from :func:`match_body`,
:func:`allocate_body` and :func:`output_schemas` below — the one list of what each result
type's ``to_dict()`` writes. A test validates real outputs against them, and fails when a key
the tool writes is not declared here.

Regenerate after changing any of those sources::

    python -m shanchuan.contract --write src/shanchuan/data/schemas/

``docs/contract.md`` says what version 1 holds and how the version changes.
"""

from __future__ import annotations

import json
import sys
import typing
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

#: The version of the JSON contract. Raised when a key is removed, renamed or changes meaning
#: or type; a new optional key is added to the schema without a raise (``docs/contract.md``).
SCHEMA_VERSION = "1"

#: The JSON Schema dialect of the published files.
DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: The base of the schemas' ``$id`` (names, not addresses that must resolve).
BASE_ID = "https://shanchuan.example/schemas/v" + SCHEMA_VERSION + "/"


def stamp(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``payload`` with ``schema_version`` first (the form every written JSON takes)."""
    return {"schema_version": SCHEMA_VERSION, **{k: v for k, v in payload.items()}}


# -- building blocks ---------------------------------------------------------------------------

Node = dict[str, Any]

_STR: Node = {"type": "string"}
_NUM: Node = {"type": "number"}
_INT: Node = {"type": "integer"}
_BOOL: Node = {"type": "boolean"}
_ANY: Node = {}


def _nullable(node: Node) -> Node:
    out = dict(node)
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    elif "type" not in out and out:
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _doc(node: Node, text: str) -> Node:
    return {**node, "description": text} if text else dict(node)


def obj(
    props: Mapping[str, tuple[Node, str]], *, closed: bool = True, optional: Sequence[str] = ()
) -> Node:
    """An object of fixed keys (``closed``: a key not listed fails validation)."""
    node: Node = {
        "type": "object",
        "properties": {k: _doc(v, text) for k, (v, text) in props.items()},
        "required": [k for k in props if k not in optional],
    }
    if closed:
        node["additionalProperties"] = False
    return node


def mapping(values: Node) -> Node:
    """An object keyed by names that vary with the data (criteria, years, statuses, ...)."""
    return {"type": "object", "additionalProperties": values}


def array(items: Node) -> Node:
    """A list of ``items``."""
    return {"type": "array", "items": items}


def ref(name: str) -> Node:
    """A reference to another published schema (by its file name, beside this one)."""
    return {"$ref": f"{name}.schema.json"}


# -- input tables (from the schemas-as-data) ---------------------------------------------------


def column_node(column: Any) -> Node:
    """One input column as JSON: a ``records`` cell (a CSV cell's text is also accepted)."""
    from shanchuan.schemas import FALSE_WORDS, TRUE_WORDS, YEAR_RANGE

    node: Node
    if column.dtype in ("str", "id"):
        node = dict(_STR)
        if column.pattern and column.dtype == "id" and column.references is None:
            node["pattern"] = f"^(?:{column.pattern})$"
    elif column.dtype == "enum":
        node = {"enum": list(column.choices)}
    elif column.dtype == "bool":
        words = sorted({*TRUE_WORDS, *FALSE_WORDS, *(w.upper() for w in TRUE_WORDS + FALSE_WORDS)})
        node = {"anyOf": [_BOOL, {"enum": [0, 1]}, {"type": "string", "enum": words}]}
    elif column.dtype in ("ids", "codes"):
        node = {"anyOf": [_STR, array(_STR)]}
    else:  # int, float, year
        node = dict(_INT if column.dtype in ("int", "year") else _NUM)
        lo, hi = column.min, column.max
        if column.dtype == "year":
            lo = YEAR_RANGE[0] if lo is None else lo
            hi = YEAR_RANGE[1] if hi is None else hi
        if lo is not None:
            node["exclusiveMinimum" if column.min_exclusive else "minimum"] = lo
        if hi is not None:
            node["exclusiveMaximum" if column.max_exclusive else "maximum"] = hi
    text = column.meaning + (f" Unit: {column.unit}." if column.unit else "")
    node = _doc(node, text.strip())
    return _nullable(node) if column.nullable or not column.required else node


def input_schema(schema: Any) -> Node:
    """The rows of one input file, as the ``records`` of a table inline in a scenario."""
    row: Node = {
        "type": "object",
        "properties": {c.name: column_node(c) for c in schema.columns},
        "required": list(schema.required_columns),
        # Extra columns are kept for the user's own notes (the readers warn, they do not fail).
        "additionalProperties": True,
    }
    node: Node = {
        "title": schema.filename,
        "description": schema.description + (f" Key column: {schema.key}." if schema.key else ""),
        "type": "array",
        "items": row,
    }
    if schema.rows_required:
        node["minItems"] = 1
    return node


# -- the scenario (from the settings tree) -----------------------------------------------------


def type_node(tp: Any) -> Node:
    """A declared settings type as JSON Schema."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, __import__("types").UnionType):
        return {"anyOf": [type_node(a) for a in args]}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return array(type_node(args[0]))
        return {
            "type": "array",
            "prefixItems": [type_node(a) for a in args],
            "minItems": len(args),
            "maxItems": len(args),
        }
    if tp is type(None):
        return {"type": "null"}
    simple = {str: _STR, int: _INT, float: _NUM, bool: _BOOL}
    return dict(simple.get(tp, _ANY))


def scenario_schema() -> Node:
    """A scenario file (TOML or JSON: the same tree), or a scenario posted to the service."""
    from shanchuan import config
    from shanchuan import scenario as scenario_mod
    from shanchuan.schemas import INPUT_FILES

    defs: dict[str, Node] = {}
    for key, info in scenario_mod.KNOWN.items():
        parts = key.split(".")
        default = config.to_plain(info.default)
        leaf = _doc(type_node(info.type), info.doc + (f" Unit: {info.unit}." if info.unit else ""))
        leaf["default"] = default
        if parts[0] == "data" and parts[-1] in INPUT_FILES:
            inline = obj({"records": (ref(f"input.{parts[-1]}"), "The rows.")})
            csv = obj({"csv": (_STR, "The file's text, header first.")})
            leaf = {
                "description": info.doc
                + " A path (scenario file), or the table inline (service): records or CSV text.",
                "anyOf": [_STR, inline, csv],
                "default": default,
            }
        defs[key] = leaf

    def group(prefix: str) -> Node:
        # A table holds its keys nested or dotted (`"rules.max_distance" = 400`), as TOML does.
        below = [k[len(prefix) :] for k in defs if k.startswith(prefix)]
        props: dict[str, Node] = {}
        for rest in below:
            head = rest.split(".")[0]
            if head == rest:
                props[head] = {"$ref": f"#/$defs/{prefix}{rest}"}
            elif head not in props:
                props[head] = group(f"{prefix}{head}.")
        for rest in below:
            if "." in rest:
                props[rest] = {"$ref": f"#/$defs/{prefix}{rest}"}
        return {"type": "object", "properties": props, "additionalProperties": False}

    tree = group("")
    override_tree = group("")
    override_tree["properties"]["description"] = _doc(_STR, "What the override set changes.")
    tree["properties"]["overrides"] = _doc(
        mapping(override_tree), "Named override sets (`--scenario NAME`): partial settings."
    )
    return {
        "title": "scenario",
        "description": "A scenario: settings tables with dotted keys (`shanchuan keys`).",
        **tree,
        "$defs": defs,
    }


# -- outputs (the output column table and the result types) ------------------------------------

_KIND_NODES: Mapping[str, Node] = {
    # A text column of the CSV may be a list in the JSON (``leading``: the criteria, in order;
    # ``displaced``: the pairs a forced pair pushes out, each [recipient, supporter]).
    "text": {"anyOf": [_STR, array({"anyOf": [_STR, array(_STR)]})]},
    "id": _STR,
    "int": _INT,
    "year": _INT,
    "bool": _BOOL,
    **{k: _NUM for k in ("wan", "yuan", "share", "km", "score", "number")},
}


def row_node(
    table: str, *, extra: Mapping[str, tuple[Node, str]] | None = None, closed: bool = True
) -> Node:
    """A row of output table ``table`` (:data:`OUTPUT_TABLES`): every declared column, nullable.

    ``extra`` adds keys the JSON holds beside the CSV columns (nested criteria, lists).
    """
    from shanchuan.outputs.columns import OUTPUT_COLUMNS, OUTPUT_TABLES

    props: dict[str, Node] = {}
    for name in OUTPUT_TABLES[table][1]:
        col = OUTPUT_COLUMNS[name]
        text = col.meaning + (f" Unit: {col.unit}." if col.unit else "")
        props[name] = _doc(_nullable(dict(_KIND_NODES[col.kind])), text.strip())
    for name, (node, text) in (extra or {}).items():
        props[name] = _doc(node, text)
    out: Node = {"type": "object", "properties": props, "description": OUTPUT_TABLES[table][0]}
    if closed:
        out["additionalProperties"] = False
    return out


_NUMBER_MAP = mapping(_nullable(_NUM))
#: The spread of a figure over the recipients (``summary.fairness``).
_SPREAD: Node = {
    "anyOf": [
        {"type": "null"},
        {
            "type": "object",
            "properties": {
                "gini": _nullable(_NUM),
                "min": _nullable(_NUM),
                "max": _nullable(_NUM),
                "min_recipient": _nullable(_STR),
                "max_recipient": _nullable(_STR),
            },
            "additionalProperties": False,
        },
    ]
}
_STATUS = {"enum": ["optimal", "feasible", "infeasible", "failed", "not solved", "unbounded"]}


def _provenance() -> Node:
    return obj(
        {
            "scenario": (_STR, "The scenario's name."),
            "scenario_files": (array(_STR), "The scenario file and the files it extends."),
            "scenario_hash": (_STR, "SHA-256 of the effective settings."),
            "settings_hash": (_STR, "SHA-256 of the settings the engines saw."),
            "data_files": (mapping(_ANY), "Each data file's name and SHA-256."),
            "override_sets": (array(_STR), "The override sets applied, in order."),
            "set": (array(_STR), "The `--set` items applied, in order."),
            "changes": (array(mapping(_ANY)), "Every applied change: key, old, new, source."),
            "versions": (mapping(_ANY), "Versions of shanchuan, Python and the libraries."),
            "platform": (_STR, "Operating system and machine."),
            "command": (_STR, "The command line."),
            "status": (_STR, "The status recorded with the run."),
            "solver_status": (_ANY, "The solver's own status word, when it has one."),
            "method": (_ANY, "The method of the pairing, when solved."),
            "solver": (_ANY, "The solver used."),
            "gap": (_ANY, "The relative optimality gap."),
            "timings": (mapping(_ANY), "Seconds per stage."),
        },
        optional=("solver_status", "method", "solver", "gap", "timings"),
    )


def _diagnosis() -> Node:
    return _doc(_nullable(mapping(_ANY)), "Why no plan exists: the rules in conflict, and the fix.")


def match_body() -> Node:
    """What :meth:`MatchOutcome.to_dict` writes (without ``provenance`` inside ``run``)."""
    pair = row_node(
        "pairs",
        extra={
            "criteria": (_NUMBER_MAP, "The pair's score on each criterion (0–1)."),
            "distance_km": (_NUM, "Geodesic distance."),
        },
    )
    return obj(
        {
            "status": (_STATUS, "optimal (proven, gap <= 1e-6), feasible, infeasible or failed."),
            "objective": (_nullable(_NUM), "Total weighted score of the pairing."),
            "objective_unit": ({"const": "score points"}, "The objective's unit."),
            "objective_breakdown": (_NUMBER_MAP, "The objective's part from each criterion."),
            "objective_shares": (_NUMBER_MAP, "Each criterion's share of the objective."),
            "weights": (_NUMBER_MAP, "The criterion weights used."),
            "objective_mode": (_STR, "`sum` (total score) or `maxmin` (the worst pair first)."),
            "method": (_STR, "How it was solved (assignment, milp, ...)."),
            "gap": (_nullable(_NUM), "Relative optimality gap."),
            "maxmin_level": (_nullable(_NUM), "The worst pair's score fixed in maxmin mode."),
            "worst_pair_score": (_nullable(_NUM), "The lowest score of any pair."),
            "message": (_STR, "The engine's one-line verdict."),
            "pairs": (array(pair), "The pairs, one per recipient."),
            "solver": (mapping(_ANY), "Solver name, method and status."),
            "verification": (
                _nullable(mapping(_ANY)),
                "The independent check: ok, problems, objective (null without a pairing).",
            ),
            "timings": (mapping(_NUM), "Seconds per step."),
            "analyses": (
                obj(
                    {
                        # Open rows: a criterion added later brings its own columns.
                        "explanations": (array(row_node("explanations", closed=False)), ""),
                        "forcing_costs": (array(row_node("forcing_costs")), ""),
                        "alternatives": (array(row_node("alternatives")), ""),
                        "blocking_pairs": (array(row_node("blocking_pairs")), ""),
                        "sensitivity": (mapping(_ANY), "Weight-sensitivity samples and fragility."),
                        "stability": (_ANY, "The stability check."),
                    },
                    optional=(
                        "explanations",
                        "forcing_costs",
                        "alternatives",
                        "blocking_pairs",
                        "sensitivity",
                        "stability",
                    ),
                ),
                "The analyses asked for (`Analyses`).",
            ),
            "diagnosis": (_diagnosis(), ""),
        },
        optional=("analyses", "diagnosis", "gap", "maxmin_level", "worst_pair_score", "message"),
    )


def allocate_body() -> Node:
    """What :meth:`AllocationOutcome.to_dict` writes (without ``provenance`` inside ``run``)."""
    project = row_node(
        "projects",
    )
    summary = obj(
        {
            "per_year": (array(row_node("per_year")), "Spending per year."),
            "per_pair": (array(row_node("per_pair")), "Spending per pair and year."),
            "per_category": (array(row_node("per_category")), "Spending per project category."),
            "fairness": (
                obj(
                    {
                        "per_recipient": (array(row_node("fairness")), ""),
                        "population_missing": (_ANY, "Recipients without a population."),
                        "special_fund_wan": (
                            _SPREAD,
                            "Special fund per recipient: gini, min, max and who.",
                        ),
                        "yuan_per_head": (_SPREAD, "Special fund per head: gini, min, max, who."),
                    },
                    closed=False,
                    optional=("population_missing", "special_fund_wan", "yuan_per_head"),
                ),
                "Special fund per head, per recipient.",
            ),
            "shortfalls": (
                array(row_node("floor")),
                "Where supporter aid falls short of the floor (rows of floor.csv).",
            ),
            "coverage": (_nullable(_INT), "How many recipients are covered."),
            "benefit": (_nullable(_NUM), "The benefit of the plan, in person-equivalents."),
            "penalty": (_nullable(_NUM), "Shortfall penalty paid in the objective."),
            "objective_decomposition": (
                _nullable(mapping(_ANY)),
                "The objective as benefit − penalty, each with its unit.",
            ),
            "rule_costs": (array(row_node("rule_costs")), "What relaxing each rule would gain."),
            "best_unfunded": (
                array(row_node("unfunded")),
                "The best projects left out, why, and the cost of forcing each in.",
            ),
            "left_out": (array(_ANY), "Projects left out, counted by reason."),
        },
        optional=(
            "per_year",
            "per_pair",
            "per_category",
            "fairness",
            "shortfalls",
            "coverage",
            "benefit",
            "penalty",
            "objective_decomposition",
            "rule_costs",
            "best_unfunded",
            "left_out",
        ),
    )
    return obj(
        {
            "status": (_STATUS, "optimal, feasible (with its gap), infeasible or failed."),
            "solution_status": (_STR, "`verified` when the plan passed the independent check."),
            "objective": (_nullable(_NUM), "The plan's benefit, in person-equivalents."),
            "bound": (_nullable(_NUM), "The solver's proven bound on the objective."),
            "gap": (_nullable(_NUM), "Relative optimality gap."),
            "solver": (mapping(_ANY), "Solver name, version, status, seconds and stages."),
            "projects": (array(project), "Every funded project-year."),
            "summary": (summary, "The plan's summary tables."),
            "verification": (
                _nullable(mapping(_ANY)),
                "The independent check: ok, recomputed objective (null without a plan).",
            ),
            "diagnosis": (_diagnosis(), ""),
            "solver_verdict": (_STR, "The solver's own verdict, before verification."),
            "objective_unit": ({"const": "person-equivalents"}, "The objective's unit."),
            "pairs_source": (_STR, "Where the pairs came from: the pairing solve or a pair file."),
        },
        optional=("diagnosis", "bound", "gap"),
    )


def _versioned(
    title: str, description: str, props: Mapping[str, tuple[Node, str]], **kw: Any
) -> Node:
    body = obj(
        {"schema_version": ({"const": SCHEMA_VERSION}, "The contract version."), **props}, **kw
    )
    return {"title": title, "description": description, **body}


def _with(body: Node, **props: tuple[Node, str]) -> dict[str, tuple[Node, str]]:
    out: dict[str, tuple[Node, str]] = {
        k: (v, v.pop("description", ""))
        for k, v in ((k, dict(v)) for k, v in body["properties"].items())
    }
    out.update(props)
    return out


def output_schemas() -> dict[str, Node]:
    """Every output's schema, by name."""
    match, allocate = match_body(), allocate_body()
    side = obj(
        {
            "label": (_STR, "The side's label."),
            "source": (_STR, "A run folder, scenario file or built-in name."),
            "scenario": (_STR, ""),
            "scenario_hash": (_STR, ""),
            "status": (_STR, ""),
            "command": (_STR, ""),
            "matching_gap": (_nullable(_NUM), ""),
            "allocation_gap": (_nullable(_NUM), ""),
        },
        closed=False,
    )
    comparison: dict[str, tuple[Node, str]] = {
        "status": ({"enum": ["identical", "different"]}, "Whether B differs from A."),
        "a": (side, "The base side."),
        "b": (side, "The compared side."),
        "settings": (array(mapping(_ANY)), "The settings that differ: key, a, b."),
        "pairs_compared": (_BOOL, "Whether both sides hold a pairing."),
        "pairs_total": (_INT, "Pairs on side A."),
        "pairs_changed": (array(mapping(_ANY)), "Each changed pair, with the criteria behind it."),
        "projects_compared": (_BOOL, "Whether both sides hold a plan."),
        "projects": (
            obj({k: (array(mapping(_ANY)), "") for k in ("left", "entered", "changed")}),
            "Projects that left, entered or changed the plan.",
        ),
        "money": (array(mapping(_ANY)), "Money per year and source, A against B."),
        "fairness": (array(mapping(_ANY)), "Special fund per head, A against B."),
        "objectives": (array(mapping(_ANY)), "Each engine's objective, A against B."),
        "tolerance": (
            {"anyOf": [_NUM, _NUMBER_MAP]},
            "Tolerance within which objectives count as equal (per engine).",
        ),
        "notes": (array(_STR), "What the comparison could not compare, and why."),
        "provenance": (obj({"a": (side, ""), "b": (side, "")}), "The two sides."),
    }
    pair_share = mapping(_ANY)
    return {
        "output.match": _versioned(
            "match",
            "`shanchuan match --format json`, result.json of `match --out`.",
            _with(match, provenance=(_provenance(), "Where the result came from.")),
            optional=(
                "analyses",
                "diagnosis",
                "gap",
                "maxmin_level",
                "worst_pair_score",
                "message",
            ),
        ),
        "output.allocate": _versioned(
            "allocate",
            "`shanchuan allocate --format json`, result.json of `allocate --out`.",
            _with(allocate, provenance=(_provenance(), "Where the result came from.")),
            optional=("diagnosis", "bound", "gap"),
        ),
        "output.run": _versioned(
            "run",
            "`shanchuan run --format json`: the pairing (unless a pair file), then the plan.",
            {
                "status": (_STATUS, "The pairing's status when it failed, else the plan's."),
                "matching": (match, "The pairing (no provenance of its own)."),
                "allocation": (allocate, "The plan."),
                "provenance": (_provenance(), "Where the result came from."),
            },
            optional=("matching",),
        ),
        "output.compare": _versioned(
            "compare", "`shanchuan compare A B --format json` (two sides).", comparison
        ),
        "output.compare_many": _versioned(
            "compare (three or more sides)",
            "`shanchuan compare A B C ... --format json`.",
            {
                "status": ({"enum": ["identical", "different"]}, ""),
                "comparisons": (array(obj(comparison)), "B, C, ... each compared with A."),
                "provenance": (obj({"sides": (array(side), "")}), "Every side, A first."),
            },
        ),
        "output.sweep_summary": _versioned(
            "sweep summary.json",
            "The head of a sweep's summary (beside index.csv and the tables).",
            {
                "variants": (_INT, "Variants in the sweep."),
                "solved": (_INT, "Variants with a verified solution."),
                "statuses": (mapping(_INT), "Variants per status."),
                "robust_share": (_NUM, "Share of variants a pair must hold to count as robust."),
                "robust_pairs": (array(pair_share), "Pairs held in at least robust_share."),
                "fragile_pairs": (array(pair_share), "Recipients whose partner changes most."),
                "strongest_drivers": (array(pair_share), "Swept keys that move the pairing most."),
                "distinct_pairings": (_INT, "Different pairings among the variants."),
                "robust_projects": (_INT, "Projects funded in at least robust_share."),
                "projects_ever_funded": (_INT, "Projects funded in any variant."),
                "engine": ({"enum": ["match", "allocate", "run"]}, "What each variant solved."),
                "mode": (_STR, "grid or samples."),
                "perturb": (array(_ANY), "The data perturbations."),
                "scenario": (_STR, "The base scenario."),
                "seed": (_nullable(_INT), "The random seed."),
                "swept": (array(_ANY), "The swept keys and their values or distributions."),
            },
            closed=False,
            optional=(
                "robust_projects",
                "projects_ever_funded",
                "mode",
                "perturb",
                "scenario",
                "seed",
                "swept",
                "engine",
            ),
        ),
        "output.unsolved": _versioned(
            "no solve",
            "A service job's `result` when the solve could not start: the pairing an "
            "allocation needs is infeasible (with its diagnosis), or a solver failed.",
            {
                "status": ({"enum": ["infeasible", "failed"]}, "Why there is no result."),
                "message": (_STR, "What happened, in a sentence."),
                "diagnosis": (_diagnosis(), "Why the rules conflict (infeasible only)."),
            },
            optional=("diagnosis",),
        ),
        "output.manifest": _versioned(
            "manifest.json",
            "A run folder's manifest (docs/run-folder.md).",
            {
                "tool": ({"const": "shanchuan"}, "Marks the folder as a shanchuan run."),
                "run_format": (_INT, "Version of the run-folder layout."),
                "shanchuan": (_STR, "The version that wrote it."),
                "command": (_STR, "The command that wrote it."),
                "created": (_STR, "When (local time, ISO 8601)."),
                "status": (_STR, "The run's status."),
                "gap": (_nullable(_NUM), "The relative optimality gap."),
                "provenance": (_ANY, "As in result.json."),
                "settings": (_ANY, "The effective settings."),
                "inputs": (_ANY, "The recorded input files."),
                "analyses": (_ANY, "The analyses asked for."),
                "files": (array(_STR), "The folder's files."),
                "sha256": (mapping(_STR), "SHA-256 of each file."),
            },
            optional=(
                "settings",
                "inputs",
                "analyses",
                "gap",
                "provenance",
                "shanchuan",
                "command",
                "created",
                "status",
            ),
        ),
    }


def sweep_index_schema() -> Node:
    """A row of a sweep's ``index.csv`` (the swept keys' columns vary: open)."""
    return {
        "title": "sweep index.csv",
        "description": "One row per variant; besides these, one column per swept key.",
        "type": "object",
        "properties": {
            "key": _doc(_STR, "The variant's key (hash of its settings)."),
            "perturb": _doc(_nullable(_STR), "The data perturbation."),
            "replicate": _doc(_nullable(_INT), "The perturbation's replicate."),
            "status": _doc(_STR, "The variant's status."),
            "gap": _nullable(_NUM),
            "objective": _nullable(_NUM),
            "pairing": _doc(_nullable(_STR), "A short id of the variant's pairing."),
            "pairs_off_modal": _doc(_nullable(_INT), "Pairs other than the modal partner."),
            "message": _nullable(_STR),
            "seconds": _nullable(_NUM),
        },
        "required": ["key", "status"],
    }


def all_schemas() -> dict[str, Node]:
    """Every published schema by name (``input.counties``, ``scenario``, ``output.match``, ...)."""
    from shanchuan.schemas import INPUT_FILES

    found: dict[str, Node] = {f"input.{key}": input_schema(s) for key, s in INPUT_FILES.items()}
    found["scenario"] = scenario_schema()
    found.update(output_schemas())
    found["output.sweep_index"] = sweep_index_schema()
    return {
        name: {"$schema": DIALECT, "$id": f"{BASE_ID}{name}.schema.json", **node}
        for name, node in sorted(found.items())
    }


def render(node: Node) -> str:
    """A schema file's text (stable: sorted keys would scramble the property order)."""
    return json.dumps(node, ensure_ascii=False, indent=1) + "\n"


# -- the shipped files -------------------------------------------------------------------------

PACKAGE_DIR = "data/schemas"


def published() -> list[str]:
    """The names of the schemas shipped in the package."""
    folder = resources.files("shanchuan").joinpath(PACKAGE_DIR)
    return sorted(
        p.name.removesuffix(".schema.json")
        for p in folder.iterdir()
        if p.name.endswith(".schema.json")
    )


def load(name: str) -> Node:
    """The shipped schema ``name``; ``KeyError`` when there is none."""
    if name not in published():
        raise KeyError(name)
    text = (
        resources.files("shanchuan")
        .joinpath(f"{PACKAGE_DIR}/{name}.schema.json")
        .read_text(encoding="utf-8")
    )
    node: Node = json.loads(text)
    return node


def write(folder: Path) -> list[Path]:
    """Write every schema into ``folder`` (and remove stale ones); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    schemas = all_schemas()
    written = []
    for name, node in schemas.items():
        path = folder / f"{name}.schema.json"
        path.write_text(render(node), encoding="utf-8")
        written.append(path)
    for stale in folder.glob("*.schema.json"):
        if stale.name.removesuffix(".schema.json") not in schemas:
            stale.unlink()
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m shanchuan.contract --write DIR`` (or ``--check DIR``: exit 1 when stale)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m shanchuan.contract", description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, metavar="DIR", help="write the schema files")
    group.add_argument("--check", type=Path, metavar="DIR", help="exit 1 if DIR is stale")
    args = parser.parse_args(argv)
    if args.write is not None:
        for path in write(args.write):
            print(path)
        return 0
    stale = [
        name
        for name, node in all_schemas().items()
        if not (args.check / f"{name}.schema.json").is_file()
        or (args.check / f"{name}.schema.json").read_text(encoding="utf-8") != render(node)
    ]
    for name in stale:
        print(f"stale: {name}.schema.json", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
