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
            if math.isnan(value):
                raise _Bad
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
        # Name the key the check is about, so the problem is filed where that key was set
        # (``--set``, an override set, a file of the extends chain), not at the section.
        column = _blamed_key(prefix, [n for n in kwargs if f"{prefix}{n}" in flat], str(exc))
        return None, [Problem(file=source, column=column, message=str(exc))]


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
