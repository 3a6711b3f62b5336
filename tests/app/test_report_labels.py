"""Every word of the report exists in both languages, and every key the report uses exists."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from shanchuan.htmlreport import assemble, context, labels
from shanchuan.htmlreport.assemble import has_cjk

SOURCES = ("assemble.py", "page.py", "context.py", "__init__.py", "static/app.js")


def _source(name: str) -> str:
    return resources.files("shanchuan.htmlreport").joinpath(name).read_text(encoding="utf-8")


def test_every_label_has_both_languages() -> None:
    missing = [k for k, v in labels.LABELS.items() if len(v) != 2 or not all(x.strip() for x in v)]
    assert missing == []
    chinese_in_english = [k for k, (_, en) in labels.LABELS.items() if has_cjk(en)]
    assert chinese_in_english == []
    english_only_in_chinese = [k for k, (zh, _) in labels.LABELS.items() if not has_cjk(zh)]
    assert english_only_in_chinese == []


def test_format_fields_agree_between_languages() -> None:
    field = re.compile(r"\{(\w+)\}")
    bad = {
        k: v
        for k, v in labels.LABELS.items()
        if set(field.findall(v[0])) != set(field.findall(v[1]))
    }
    assert bad == {}


def test_every_key_the_report_uses_is_in_the_table() -> None:
    used: set[str] = set()
    for name in SOURCES:
        src = _source(name)
        used |= set(re.findall(r"""\btext\(\s*["']([a-z_ ]+)["']""", src))
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_ ]+)["']\)""", src))
        # the drawing script reads the embedded table as L.key and L['key']
        used |= set(re.findall(r"\bL\.([a-z_]+)", src))
        used = {k for k in used if not k.endswith("_")}  # families: the test below
        used |= set(re.findall(r"""\bL\[['"]([a-z_]+)['"]\]""", src))
    assert used, "the pattern found no key: the test would not catch a missing one"
    assert sorted(used - set(labels.LABELS)) == []


FAMILIES = ("crit_", "status_", "kind_", "stated_r_", "stated_s_", "why_")


def test_every_label_is_used() -> None:
    src = "\n".join(_source(name) for name in SOURCES)
    unused = [
        k
        for k in labels.LABELS
        if not k.startswith(FAMILIES)
        and not re.search(rf"""["']{re.escape(k)}["']|\bL\.{re.escape(k)}\b""", src)
    ]
    assert unused == []


@pytest.mark.parametrize(
    "family, codes",
    [
        ("crit_", assemble.CRITERIA),
        ("status_", ("optimal", "feasible", "infeasible", "failed")),
        ("kind_", (*[k for k, _ in context.KIND_WORDS], "unlabelled")),
        ("stated_r_", ("rank", "others", "none")),
        ("stated_s_", ("rank", "others", "none")),
        (
            "why_",
            (
                "budget",
                "count cap",
                "pair share cap",
                "pair cap",
                "excluded",
                "dependency",
                "other",
            ),
        ),
    ],
)
def test_label_families_built_from_codes(family: str, codes: tuple[str, ...]) -> None:
    assert [c for c in codes if family + c not in labels.LABELS] == []


def test_rule_names_are_the_engines_in_both_languages() -> None:
    from allocation.rules import cost_rules, rule_labels

    for lang in labels.LANGS:
        names = rule_labels(lang)
        for rule in cost_rules():
            assert rule.cost_step is not None
            name = names[rule.cost_step.name]
            assert name and has_cjk(name.replace("万元", "")) == (lang == "zh"), (lang, name)


def test_unknown_key_or_language_fails_loudly() -> None:
    with pytest.raises(KeyError):
        labels.text("no such label", "zh")
    with pytest.raises(KeyError, match="zh, en"):
        labels.text("title", "fr")
