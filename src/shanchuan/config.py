"""Settings trees as data: dotted keys read off the engines' frozen dataclasses.

The engines declare their options as nested frozen dataclasses whose fields carry a default and
``metadata["doc"]``. This module walks those trees to list every valid dotted key (for "did you
mean" and for the key reference in ``docs/scenario-keys.md``) and builds the objects from a flat
``{dotted.key: value}`` mapping, converting TOML values to the declared types and collecting every
problem at once.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shanchuan.errors import Problem

# The one did-you-mean, re-exported for the scenario module's callers of config.did_you_mean.
from solverkit.text import did_you_mean as did_you_mean


@dataclass(frozen=True)
class KeyInfo:
    """One leaf key of a settings tree."""

    key: str
    type: Any
    default: Any
    doc: str
    unit: str | None
    counties: str | None


def _field_default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def _is_settings_class(tp: Any) -> bool:
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def leaf_keys(cls: type, prefix: str = "") -> dict[str, KeyInfo]:
    """Every leaf key of the dataclass tree ``cls``, dotted, in declaration order."""
    hints = typing.get_type_hints(cls)
    keys: dict[str, KeyInfo] = {}
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        key = f"{prefix}{f.name}"
        if _is_settings_class(tp):
            keys.update(leaf_keys(tp, key + "."))
            continue
        keys[key] = KeyInfo(
            key=key,
            type=tp,
            default=_field_default(f),
            doc=f.metadata.get("doc", ""),
            unit=f.metadata.get("unit"),
            counties=f.metadata.get("counties"),
        )
    return keys


def group_keys(cls: type, prefix: str = "") -> set[str]:
    """Dotted keys of the nested groups (tables) of ``cls``."""
    hints = typing.get_type_hints(cls)
    out: set[str] = set()
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        if _is_settings_class(tp):
            out.add(f"{prefix}{f.name}")
            out |= group_keys(tp, f"{prefix}{f.name}.")
    return out


def type_name(tp: Any) -> str:
    """A reader's name for a declared type."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_name(a) for a in typing.get_args(tp))
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return f"a list of {type_name(args[0])}"
        return "[" + ", ".join(type_name(a) for a in args) + "]"
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


class _Bad(Exception):
    pass


def convert(value: Any, tp: Any) -> Any:
    """Convert a TOML value to ``tp``; raise ``_Bad`` when it does not fit."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if arg is type(None):
                if value is None or value == "":
                    return None
                continue
            try:
                return convert(value, arg)
            except _Bad:
                continue
        raise _Bad
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise _Bad
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(convert(v, args[0]) for v in value)
        if len(value) != len(args):
            raise _Bad
        return tuple(convert(v, a) for v, a in zip(value, args, strict=True))
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise _Bad
    if tp is int:
        if isinstance(value, bool):
            raise _Bad
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise _Bad
    if tp is float:
        if isinstance(value, bool):
            raise _Bad
        if isinstance(value, int | float):
            # NaN is a number of the wrong range, not of the wrong type: the key's domain
            # refuses it (see key_problems); the engines refuse it too.
            return float(value)
        raise _Bad
    if tp is str:
        if isinstance(value, str):
            return value
        raise _Bad
    if tp is Any:
        return value
    raise _Bad


def build(
    cls: type, flat: Mapping[str, Any], *, prefix: str, source: str
) -> tuple[Any, list[Problem]]:
    """Build ``cls`` from ``flat`` (keys under ``prefix``); return the object and any problems.

    Unknown keys are reported by :func:`unknown_keys`; here every known key is converted and
    the dataclass's own checks (``__post_init__``) are turned into problems too.
    """
    problems: list[Problem] = []
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        key = f"{prefix}{f.name}"
        if _is_settings_class(tp):
            obj, sub = build(tp, flat, prefix=key + ".", source=source)
            problems += sub
            if obj is not None:
                kwargs[f.name] = obj
            continue
        if key not in flat:
            continue
        try:
            kwargs[f.name] = convert(flat[key], tp)
        except _Bad:
            doc = f.metadata.get("doc", "")
            problems.append(
                Problem(
                    file=source,
                    column=key,
                    message="wrong type of value",
                    value=flat[key],
                    expected=f"{type_name(tp)}" + (f" ({doc})" if doc else ""),
                )
            )
    if problems:
        return None, problems
    try:
        return cls(**kwargs), []
    except (ValueError, TypeError) as exc:
        return None, _check_problems(
            exc, prefix, [n for n in kwargs if f"{prefix}{n}" in flat], source
        )


def _check_problems(
    exc: Exception, prefix: str, given: Sequence[str], source: str
) -> list[Problem]:
    """The problems of a dataclass's own check, each filed under the key it is about.

    Naming the key lets the caller file each problem where that key was set (``--set``, an
    override set, a file of the extends chain), not at the section. Structured problems (the
    allocation engine's, whose ``column`` is the field) keep their field; a message joining
    several checks with ``"; "`` (the matching engine's) is split into one problem each.
    """
    structured = getattr(exc, "problems", None)
    if structured:
        out = []
        for p in structured:
            field_name = getattr(p, "column", None)
            if field_name:
                column = prefix + field_name.split("[", 1)[0]
            else:
                column = _blamed_key(prefix, given, getattr(p, "message", str(p)))
            out.append(
                Problem(
                    file=source,
                    column=column,
                    # The engines' texts already quote the value ("got 0").
                    message=getattr(p, "message", str(p)),
                )
            )
        return out
    return [
        Problem(file=source, column=_blamed_key(prefix, given, part), message=part)
        for part in str(exc).split("; ")
    ]


def _blamed_key(prefix: str, given: Sequence[str], message: str) -> str | None:
    """The given key whose name the message mentions first; else the section."""
    import re

    hits = [
        (m.start(), name)
        for name in given
        if (m := re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", message)) is not None
    ]
    if hits:
        return prefix + min(hits)[1]
    return prefix.rstrip(".") or None


def unknown_keys(
    flat: Mapping[str, Any], known: Mapping[str, KeyInfo], groups: set[str]
) -> list[str]:
    """Keys of ``flat`` that are neither a leaf key nor a group."""
    return [k for k in flat if k not in known and k not in groups]


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` → ``{"a.b": 1}``."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def to_plain(obj: Any) -> Any:
    """A dataclass tree as JSON-ready nested dicts (tuples become lists, inf a string)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple | list):
        return [to_plain(v) for v in obj]
    if isinstance(obj, float) and math.isinf(obj):
        return "inf" if obj > 0 else "-inf"
    return obj


# --- Domains: what each key accepts beyond its type -------------------------------------------
#
# The engines check their own options when their objects are built (and keep doing so: they
# are called without this layer too). The application layer checks every key against its
# declared domain first, at load time, so a bad value is reported where it was set (a file of
# the extends chain, an override set, ``--set`` or a CLI flag), with the value and what was
# expected, all problems at once, before any data is read or any solver started.

#: Largest integer any count, step or limit accepts: beyond it a value is a typo, and the
#: solvers and numpy would overflow or run out of memory on it.
MAX_COUNT = 1_000_000_000


@dataclass(frozen=True)
class Domain:
    """The values a key accepts once its type fits: a test and the words for what it wants."""

    expected: str
    test: typing.Callable[[Any], bool]
    message: str = "invalid value"
    """What is wrong; ``{value!r}`` in it quotes the value there instead of after it."""

    def __call__(self, value: Any) -> bool:
        try:
            return bool(self.test(value))
        except (TypeError, ValueError, OverflowError):
            return False


def _num(v: Any) -> str:
    return "inf" if isinstance(v, float) and math.isinf(v) else f"{v:g}"


def interval(
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    integer: bool = False,
    inf_ok: bool = False,
    unit: str = "",
    note: str = "",
) -> Domain:
    """Numbers (``integer``: integers) between ``lo`` and ``hi``.

    NaN and ±inf are refused unless ``inf_ok`` (then +inf only). Integers are capped at
    :data:`MAX_COUNT` when ``hi`` is None.
    """
    if integer and hi is None:
        hi = MAX_COUNT
    kind = "an integer" if integer else "a number"
    if lo is not None and hi is not None:
        text = f"{kind} in {'(' if lo_open else '['}{_num(lo)}, {_num(hi)}{')' if hi_open else ']'}"
    elif lo is not None:
        text = f"{kind} {'>' if lo_open else '>='} {_num(lo)}"
    elif hi is not None:
        text = f"{kind} {'<' if hi_open else '<='} {_num(hi)}"
    else:
        text = f"a finite {kind.split()[-1]}"
    if unit:
        text += f" ({unit})"
    if inf_ok:
        text += ", or inf"
    if note:
        text += f" ({note})"

    def test(v: Any) -> bool:
        if isinstance(v, bool) or not isinstance(v, int | float):
            return False
        if isinstance(v, float) and math.isnan(v):
            return False
        if isinstance(v, float) and math.isinf(v):
            return inf_ok and v > 0
        if lo is not None and (v <= lo if lo_open else v < lo):
            return False
        return not (hi is not None and (v >= hi if hi_open else v > hi))

    return Domain(text, test)


def one_of(*choices: str, fold: bool = False) -> Domain:
    """One of ``choices`` (``fold``: compared stripped and lower-cased, as the engine does)."""
    text = "one of " + ", ".join(repr(c) for c in choices)

    def test(v: Any) -> bool:
        return isinstance(v, str) and (v.strip().lower() if fold else v) in choices

    return Domain(text, test)


def each(inner: Domain, what: str = "a list") -> Domain:
    """A list whose every item is in ``inner``."""
    return Domain(f"{what} of {inner.expected}", lambda v: all(inner(x) for x in v))


def any_text(what: str = "any text") -> Domain:
    """Any string without NUL bytes (no file system, terminal or JSON reader copes with one)."""
    return Domain(what, lambda v: isinstance(v, str) and "\x00" not in v)


#: POSIX and Windows limits on a path (bytes of a whole path; of one file or folder name).
PATH_MAX, NAME_MAX = 4096, 255


def _path_ok(v: Any) -> bool:
    if not isinstance(v, str) or "\x00" in v:
        return False
    if len(v.encode("utf-8", "surrogatepass")) > PATH_MAX:
        return False
    parts = v.replace("\\", "/").split("/")
    return all(len(p.encode("utf-8", "surrogatepass")) <= NAME_MAX for p in parts)


def path() -> Domain:
    """A file path, or empty for "not given"."""
    return Domain(
        f"a file path (no NUL byte, at most {PATH_MAX} bytes, {NAME_MAX} per name), "
        "or empty for none",
        _path_ok,
    )


def key_problems(
    flat: Mapping[str, Any],
    known: Mapping[str, KeyInfo],
    domains: Mapping[str, Domain],
    origin: Mapping[str, str],
    source: str,
) -> list[Problem]:
    """Every known key of ``flat`` whose value has the wrong type or is outside its domain.

    Each problem is filed where the value was set (``origin``; ``source`` when unknown), names
    the key, the value as given and what was expected.
    """
    problems: list[Problem] = []
    for key, value in flat.items():
        info = known.get(key)
        if info is None:
            continue
        where = origin.get(key, source)
        try:
            converted = convert(value, info.type)
        except _Bad:
            problems.append(
                Problem(
                    file=where,
                    column=key,
                    message="wrong type of value",
                    value=value,
                    expected=type_name(info.type) + (f" ({info.doc})" if info.doc else ""),
                    label="key",
                )
            )
            continue
        domain = domains.get(key)
        if domain is not None and not domain(converted):
            problems.append(
                Problem(
                    file=where,
                    column=key,
                    message=domain.message.format(value=value),
                    value=None if "{value" in domain.message else value,
                    expected=domain.expected,
                    label="key",
                )
            )
    return problems
