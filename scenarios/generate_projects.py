"""Seeded generator of the SYNTHETIC candidate project pool of scenario ``hubei-2021``.

No list of 山川协作 candidate projects is public, so the default pool is synthetic: every row is
invented by this script, tied to the recipient's own industries and resources (``counties.csv``),
with categories from sections (七)-(十二) of the plan and the three priority kinds of section (十三)
(low-income groups, ecological protection, infrastructure) as 0/1 flags. Money is in 万元 per year
and is sized on public news figures: about 250 万 of special fund per project, supporter aid of at
least 500 万 a pair a year spread over its projects.

Usage::

    python scenarios/generate_projects.py                 # writes the committed default pool
    python scenarios/generate_projects.py --seed 7 --rate 20 --out /tmp/projects.csv
"""

from __future__ import annotations

import argparse
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from allocation import PROJECT_COLUMNS

DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "shanchuan" / "data" / "hubei-2021"
DEFAULT_SEED = 2021
YEARS = tuple(range(2021, 2026))

# File order: the id, then the allocation engine's own column list (one definition).
COLUMNS = ["id", *PROJECT_COLUMNS]

#: Project categories (plan sections (七)-(十二)) with their share of the pool.
CATEGORY_WEIGHTS = {
    "industrial_park": 0.10,  # (七) 山川协作产业园区
    "industry_chain": 0.22,  # (八) 产业分工协作
    "agriculture_income": 0.24,  # (九) 农业增效农民增收
    "urbanisation_infrastructure": 0.14,  # (十) 新型城镇化
    "ecological_protection": 0.08,  # (六)/(十) 生态环境
    "talent_skills": 0.07,  # (十一) 人才引育和技能实训
    "education": 0.05,  # (十二)
    "health": 0.05,  # (十二)
    "culture": 0.03,  # (十二)
    "public_welfare": 0.02,  # (十二) 公益项目
}
CATEGORIES = tuple(CATEGORY_WEIGHTS)

#: Probability of each section-(十三) priority flag by category: (low_income, ecological, infra).
FLAG_PROBABILITIES = {
    "industrial_park": (0.15, 0.05, 0.6),
    "industry_chain": (0.35, 0.05, 0.1),
    "agriculture_income": (0.85, 0.2, 0.1),
    "urbanisation_infrastructure": (0.2, 0.35, 1.0),
    "ecological_protection": (0.15, 1.0, 0.3),
    "talent_skills": (0.6, 0.0, 0.1),
    "education": (0.3, 0.0, 0.3),
    "health": (0.4, 0.0, 0.3),
    "culture": (0.1, 0.0, 0.3),
    "public_welfare": (1.0, 0.05, 0.0),
}

#: Multiplier of the special-fund request by category (pool-weighted mean about 1).
REQUEST_FACTOR = {
    "industrial_park": 1.3,
    "industry_chain": 1.1,
    "agriculture_income": 0.9,
    "urbanisation_infrastructure": 1.2,
    "ecological_protection": 1.0,
    "talent_skills": 0.7,
    "education": 0.9,
    "health": 1.0,
    "culture": 0.8,
    "public_welfare": 0.6,
}

#: Log-uniform ranges (low, high) of people benefited and jobs by category.
PEOPLE_RANGE = {
    "industrial_park": (300, 3000),
    "industry_chain": (200, 3000),
    "agriculture_income": (300, 6000),
    "urbanisation_infrastructure": (2000, 40000),
    "ecological_protection": (1000, 30000),
    "talent_skills": (100, 1500),
    "education": (500, 15000),
    "health": (5000, 80000),
    "culture": (2000, 50000),
    "public_welfare": (100, 2000),
}
JOBS_RANGE = {
    "industrial_park": (50, 600),
    "industry_chain": (20, 300),
    "agriculture_income": (10, 150),
    "urbanisation_infrastructure": (0, 20),
    "ecological_protection": (0, 30),
    "talent_skills": (20, 300),
    "education": (0, 15),
    "health": (0, 15),
    "culture": (0, 15),
    "public_welfare": (0, 10),
}

#: Keyword -> theme kind, checked in order; the first hit classifies an industry/resource item.
KIND_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    (
        "manufacturing",
        (
            "零部件",
            "机械",
            "纺织",
            "材料",
            "磨具",
            "电子",
            "化工",
            "建材",
            "石材",
            "绿松石加工",
            "黄酒",
            "生物医药",
            "农产品加工",
            "竹木",
        ),
    ),
    ("park", ("跨江合作",)),
    ("wellness", ("康养", "避暑", "温泉", "大健康")),
    ("tourism", ("旅游", "文旅", "滑雪", "研学")),
    ("seed", ("种业",)),
    ("animal", ("生猪", "畜禽", "水产", "蜂", "鱼", "虾")),
    ("energy", ("水电", "清洁能源", "水能")),
    ("logistics", ("物流", "冷链")),
    ("ecommerce", ("电商",)),
    ("selenium", ("富硒",)),
    ("culture", ("文化", "遗产", "红色")),
    ("forest", ("森林",)),
    ("water", ("库区", "河", "江", "长江岸线")),
    ("mineral", ("矿",)),
    (
        "agri",
        (
            "茶",
            "魔芋",
            "蚕桑",
            "中药材",
            "茯苓",
            "蔬菜",
            "柚",
            "柑橘",
            "脐橙",
            "猕猴桃",
            "葡萄",
            "核桃",
            "桃",
            "板栗",
            "柿",
            "姜",
            "山药",
            "莼菜",
            "苕",
            "花生",
            "贡米",
            "粮食",
            "木耳",
            "香菇",
            "烟叶",
            "油茶",
            "蜂蜜",
        ),
    ),
]
#: Site used in titles when a tourism or wellness item names no place ("旅游" -> "全域旅游公路").
UNNAMED_SITE = {"tourism": "全域", "wellness": "全域"}
#: Bracket notes that are not a place or brand.
NOT_A_SITE = {"地理标志"}
#: Labels reworded for titles.
LABEL_ALIASES = {"红色资源": "红色文化"}
#: Item labels that only group the items in their brackets ("开发区(纺织/汽车零部件/建材)").
CONTAINER_LABELS = {"开发区", "农业"}

#: Title templates by theme kind and category; ``{label}`` is the item, ``{site}`` a named place
#: or brand from its brackets (falls back to the label).
THEMED_TEMPLATES: dict[str, dict[str, list[str]]] = {
    "agri": {
        "agriculture_income": [
            "{label}标准化基地提质增效",
            "{label}专业合作社联农带农",
            "{label}良种繁育示范园",
            "{label}产地冷藏保鲜设施",
        ],
        "industry_chain": [
            "{label}精深加工生产线",
            "{label}产地初加工与分级包装中心",
            "{site}品牌建设与电商营销",
            "{label}产地仓储与冷链物流中心",
        ],
        "industrial_park": ["{label}加工园区标准厂房"],
        "talent_skills": ["{label}生产技术培训与新型职业农民培育"],
    },
    "park": {
        "industrial_park": ["{site}{label}园区基础设施", "{site}{label}园区标准厂房"],
    },
    "seed": {
        "agriculture_income": ["{label}良种繁育示范园", "{label}制种基地联农带农"],
        "industry_chain": ["{label}种子加工与检测中心"],
    },
    "animal": {
        "agriculture_income": [
            "{label}标准化养殖场改造",
            "{label}养殖合作社联农带农",
            "{label}良种繁育场",
        ],
        "industry_chain": ["{label}加工与冷链配送中心", "{label}品牌建设与产销对接"],
        "ecological_protection": ["{label}养殖废弃物资源化利用"],
        "talent_skills": ["{label}养殖技术培训"],
    },
    "tourism": {
        "urbanisation_infrastructure": [
            "{site}旅游公路",
            "{site}景区停车场与游客服务中心",
            "{site}景区游步道与标识系统",
        ],
        "industry_chain": ["{site}文旅融合开发", "{site}智慧旅游平台"],
        "culture": ["{site}文化展示与非遗传承"],
        "talent_skills": ["{label}服务人才培训"],
    },
    "wellness": {
        "industry_chain": ["{site}康养基地配套", "{site}民宿集群提质"],
        "urbanisation_infrastructure": ["{site}康养小镇基础设施"],
        "health": ["{site}康养医疗服务站"],
    },
    "manufacturing": {
        "industrial_park": [
            "山川协作产业园{label}标准厂房",
            "{label}产业园基础设施配套",
            "{label}产业承接转移示范园",
        ],
        "industry_chain": [
            "{label}产业链配套项目招商引进",
            "{label}企业技改扩能",
            "{label}研发检测公共服务平台",
        ],
        "talent_skills": ["{label}产业工人订单式培训"],
    },
    "energy": {
        "ecological_protection": ["小水电绿色改造与生态流量保障"],
        "urbanisation_infrastructure": ["农村电网改造升级"],
    },
    "logistics": {
        "industry_chain": ["{label}中心建设"],
        "urbanisation_infrastructure": ["{label}园区道路与仓储设施"],
    },
    "ecommerce": {
        "industry_chain": ["农村电商公共服务中心"],
        "talent_skills": ["农村电子商务创业孵化园"],
    },
    "selenium": {
        "industry_chain": ["富硒农产品检测认证中心", "富硒产品品牌推广"],
        "agriculture_income": ["富硒特色农产品基地"],
    },
    "culture": {
        "culture": ["{label}展示馆提升", "{label}保护与传承"],
    },
    "forest": {
        "ecological_protection": ["森林抚育与退化林修复", "林下经济示范基地"],
        "agriculture_income": ["林下经济示范基地联农带农"],
    },
    "water": {
        "ecological_protection": ["{label}水环境综合治理", "{label}岸线生态修复"],
    },
    "mineral": {
        "ecological_protection": ["废弃矿山生态修复"],
    },
}
GENERIC_TEMPLATES: dict[str, list[str]] = {
    "industrial_park": ["山川协作产业园标准厂房", "山川协作产业园道路与管网"],
    "industry_chain": ["山川协作招商引资平台", "特色产品展销中心"],
    "agriculture_income": [
        "现代生态循环农业示范园",
        "农产品质量安全检测体系",
        "经济薄弱村产业帮扶",
    ],
    "urbanisation_infrastructure": [
        "县城污水管网改造",
        "中心集镇供水提质",
        "特色小镇基础设施",
        "数字城镇智慧管理平台",
        "农村公路提档升级",
    ],
    "ecological_protection": ["农村生活污水治理", "农村垃圾收运处置体系", "水土流失综合治理"],
    "talent_skills": [
        "山川协作职业技能实训基地",
        "公共实训基地提升",
        "异地引智工作站",
        "订单式劳务输出培训",
    ],
    "education": [
        "义务教育学校教育信息化",
        "普惠性幼儿园建设",
        "中职学校实训设备提升",
        "乡村教师培训交流",
        "特殊教育学校改造",
    ],
    "health": [
        "人民医院远程诊疗中心",
        "中医院康复科建设",
        "乡镇卫生院能力提升",
        "医疗(康复)分支机构共建",
    ],
    "culture": ["图书馆总分馆建设", "文化馆(站)提升", "博物馆陈列提升", "特色文化品牌建设"],
    "public_welfare": [
        "助学公益基金",
        "困难群众助困帮扶",
        "助老助残服务设施",
        "低收入农户产业帮扶基金",
    ],
}
#: Chance that a category with themed templates for the recipient uses them, not generic ones.
THEMED_SHARE = 0.8
#: Draws tried for a title the recipient has not used before numbering a batch.
TITLE_TRIES = 6
#: Categories whose projects can have a phase 2 that requires phase 1.
PHASED = ("industrial_park", "industry_chain", "agriculture_income", "urbanisation_infrastructure")
PHASE2_PROBABILITY = 0.10
#: Title suffixes of phased and alternative projects; their base title counts as used.
LINK_SUFFIX = re.compile(r"\((一期|二期|方案一|方案二)\)$")
ALTERNATIVE_PROBABILITY = 0.05


@dataclass(frozen=True)
class Theme:
    """One industry or resource item of a county, classified for title templates."""

    label: str
    site: str
    kind: str


def split_items(text: object) -> list[str]:
    """Split a ``;``-separated item list, ignoring ``;`` inside brackets."""
    if not isinstance(text, str):
        return []
    items, depth, current = [], 0, []
    for ch in text:
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
        if ch == ";" and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    items.append("".join(current).strip())
    return [item for item in items if item]


def _kind(text: str) -> str | None:
    for kind, keywords in KIND_KEYWORDS:
        if any(k in text for k in keywords):
            return kind
    return None


def parse_themes(industries: object, resources: object) -> list[Theme]:
    """Classify a county's industry and resource items into title themes.

    ``"茶叶(竹溪贡茶)"`` gives ``Theme("茶叶", "竹溪贡茶", "agri")``; container items such as
    ``"开发区(纺织/汽车零部件/建材)"`` are expanded into their bracketed parts; ``/`` splits
    alternatives; bracket text naming figures (digits) is not used as a site.
    """
    themes: list[Theme] = []
    for item in split_items(industries) + split_items(resources):
        match = re.fullmatch(r"([^(（]*)[(（](.*)[)）]", item)
        label, inner = (match.group(1), match.group(2)) if match else (item, "")
        details = [
            d.split("-")[0]
            for d in re.split(r"[;/]", inner)
            if d and d not in NOT_A_SITE and not re.search(r"\d", d)
        ]
        if label in CONTAINER_LABELS:
            parts, details = details, []
        else:
            parts = label.split("/")
        for part in (LABEL_ALIASES.get(p, p) for p in parts):
            kind = _kind(part) or (_kind(label) if label not in CONTAINER_LABELS else None)
            if kind is None:
                continue
            sites = details or [UNNAMED_SITE.get(kind, part)]
            for site in sites:
                theme = Theme(part, site, kind)
                if theme not in themes:
                    themes.append(theme)
    return themes


def _round10(x: float) -> int:
    return round(x / 10.0) * 10


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _bodies(themes: list[Theme], category: str) -> tuple[list[str], list[str]]:
    """Distinct title bodies for a category: (themed on the county's items, generic)."""
    themed: list[str] = []
    for theme in themes:
        for template in THEMED_TEMPLATES.get(theme.kind, {}).get(category, []):
            body = template.format(label=theme.label, site=theme.site).replace("文化文化", "文化")
            if body not in themed:
                themed.append(body)
    return themed, list(GENERIC_TEMPLATES[category])


def _draw_title(
    rng: np.random.Generator, county_name: str, themes: list[Theme], category: str, used: set[str]
) -> str:
    """Draw a title not yet used by the recipient; after a few tries number the batch."""
    themed, generic = _bodies(themes, category)
    title = ""
    for _ in range(TITLE_TRIES):
        options = themed if themed and rng.random() < THEMED_SHARE else generic
        title = county_name + options[int(rng.integers(len(options)))]
        if title not in used:
            return title
    batch = 2
    while f"{title}(第{batch}批)" in used:
        batch += 1
    return f"{title}(第{batch}批)"


def _draw_project(
    rng: np.random.Generator, county_name: str, themes: list[Theme], year: int, used: set[str]
) -> dict[str, object]:
    category = str(rng.choice(CATEGORIES, p=list(CATEGORY_WEIGHTS.values())))
    title = _draw_title(rng, county_name, themes, category, used)
    p_low, p_eco, p_infra = FLAG_PROBABILITIES[category]
    low_income = int(rng.random() < p_low)
    ecological = int(rng.random() < p_eco)
    infrastructure = int(rng.random() < p_infra)
    duration = int(rng.choice([1, 2, 3], p=[0.5, 0.38, 0.12]))
    duration = min(duration, YEARS[-1] - year + 1)
    project = {"title": title, "category": category, "earliest_start": year}
    project.update(
        low_income=low_income,
        ecological=ecological,
        infrastructure=infrastructure,
        duration_years=duration,
    )
    project.update(_draw_money_and_outcomes(rng, category, low_income))
    return project


def _draw_money_and_outcomes(
    rng: np.random.Generator, category: str, low_income: int
) -> dict[str, object]:
    raw = rng.lognormal(math.log(250.0), 0.4) * REQUEST_FACTOR[category]
    request = _round10(min(max(raw, 80.0), 800.0))
    partial = rng.random() < 0.3
    minimum = _round10(request * rng.uniform(0.6, 0.8)) if partial else request
    supporter = _round10(min(max(rng.lognormal(math.log(180.0), 0.45), 50.0), 600.0))
    if category in ("industrial_park", "industry_chain"):
        other = _round10(request * rng.uniform(0.3, 2.5))
    elif category in ("urbanisation_infrastructure", "ecological_protection"):
        other = _round10(request * rng.uniform(0.0, 0.8))
    else:
        other = _round10(request * rng.uniform(0.0, 0.4)) if rng.random() < 0.5 else 0
    people = _round10(_log_uniform(rng, *PEOPLE_RANGE[category]))
    share = rng.uniform(0.15, 0.6) if low_income else rng.uniform(0.0, 0.1)
    low = min(people, int(people * share))
    j_lo, j_hi = JOBS_RANGE[category]
    jobs = int(rng.integers(j_lo, j_hi + 1))
    uplift = jobs * rng.uniform(2.5, 4.5) + low * rng.uniform(0.05, 0.2)
    if category == "agriculture_income":
        uplift += people * rng.uniform(0.02, 0.1)
    return {
        "cost_per_year_wan": request + supporter + other,
        "special_fund_request_wan": request,
        "special_fund_min_wan": minimum,
        "supporter_fund_wan": supporter,
        "other_fund_wan": other,
        "people_benefited": people,
        "low_income_benefited": low,
        "jobs": jobs,
        "income_uplift_wan": round(float(uplift), 1),
        "readiness": round(float(rng.uniform(0.3, 1.0)), 2),
    }


def _recipient_pool(
    rng: np.random.Generator, county_name: str, themes: list[Theme], counts: list[int]
) -> list[dict[str, object]]:
    """Draw one recipient's candidates year by year, adding phase-2 and alternative links."""
    pool: list[dict[str, object]] = []
    used: set[str] = set()  # titles taken, including the base titles of phased/alternative ones
    for year, n in zip(YEARS, counts, strict=True):
        for _ in range(n):
            project = _draw_project(rng, county_name, themes, year, used)
            project["requires"], project["excludes"] = [], []
            linked = [
                i
                for i, p in enumerate(pool)
                if p["category"] in PHASED
                and not p["requires"]
                and not p["excludes"]
                and not p.get("phase")
                and int(p["earliest_start"]) + int(p["duration_years"]) <= year
            ]
            if linked and rng.random() < PHASE2_PROBABILITY:
                i_first = linked[int(rng.integers(len(linked)))]
                first = pool[i_first]
                base = str(first["title"])
                first.update(title=f"{base}(一期)", phase=1)
                project.update(
                    title=f"{base}(二期)",
                    category=first["category"],
                    low_income=first["low_income"],
                    ecological=first["ecological"],
                    infrastructure=first["infrastructure"],
                    phase=2,
                    requires=[i_first],
                )
                project.update(
                    _draw_money_and_outcomes(rng, str(first["category"]), int(first["low_income"]))
                )
                new = [project]
            elif rng.random() < ALTERNATIVE_PROBABILITY:
                base = str(project["title"])
                alternative = dict(project)
                alternative.update(
                    _draw_money_and_outcomes(
                        rng, str(project["category"]), int(project["low_income"])
                    )
                )
                k = len(pool)
                project.update(title=f"{base}(方案一)", excludes=[k + 1], phase=-1)
                alternative.update(title=f"{base}(方案二)", excludes=[k], requires=[], phase=-1)
                new = [project, alternative]
            else:
                new = [project]
            for p in [*new, *(pool[i] for i in project["requires"])]:
                used.update((str(p["title"]), LINK_SUFFIX.sub("", str(p["title"]))))
            pool.extend(new)
    return pool


def generate_projects(
    counties: pd.DataFrame,
    pairs: pd.DataFrame | None,
    seed: int,
    per_pair_per_year: float = 3.0,
) -> pd.DataFrame:
    """Generate the synthetic candidate pool.

    Each recipient gets ``Poisson(per_pair_per_year)`` candidates for each year 2021-2025 (plus the
    occasional alternative variant), in annex order; ids are ``P2021-<recipient>-<nn>`` numbered by
    start year. With ``pairs`` (columns ``recipient``, ``supporter``) the ``supporter`` column is
    filled from it; without, it is left empty (the co-funding supporter is the recipient's partner).
    The same inputs and seed always give the identical frame.
    """
    if per_pair_per_year <= 0:
        raise ValueError(f"per_pair_per_year must be > 0, got {per_pair_per_year}")
    recipients = counties[counties["role"] == "recipient"].sort_values("annex_order")
    partner: dict[str, str] = {}
    if pairs is not None:
        unknown = sorted(set(pairs["recipient"]) - set(recipients["id"]))
        if unknown:
            raise ValueError(f"pairs name recipients not in counties: {', '.join(unknown)}")
        partner = dict(zip(pairs["recipient"], pairs["supporter"], strict=True))
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    for county in recipients.itertuples():
        themes = parse_themes(county.industries, county.resources)
        counts = [int(c) for c in rng.poisson(per_pair_per_year, size=len(YEARS))]
        pool = _recipient_pool(rng, str(county.annex_name), themes, counts)
        width = max(2, len(str(len(pool))))
        ids = [f"P2021-{county.id}-{i + 1:0{width}d}" for i in range(len(pool))]
        for project, pid in zip(pool, ids, strict=True):
            rows.append(
                {
                    "id": pid,
                    "recipient": county.id,
                    "supporter": partner.get(str(county.id), ""),
                    **{
                        k: v
                        for k, v in project.items()
                        if k not in ("requires", "excludes", "phase")
                    },
                    "requires": ";".join(ids[i] for i in project["requires"]),
                    "excludes": ";".join(ids[i] for i in project["excludes"]),
                    "source": f"synthetic: scenarios/generate_projects.py --seed {seed}",
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def load_counties(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Read ``counties.csv`` of the scenario data directory."""
    return pd.read_csv(data_dir / "counties.csv", encoding="utf-8")


def to_csv_text(frame: pd.DataFrame) -> str:
    """Serialise exactly as the committed file (UTF-8 text, ``\\n`` line ends, no index)."""
    return frame.to_csv(index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 2021)")
    parser.add_argument(
        "--rate",
        type=float,
        default=3.0,
        help="mean candidates per recipient per year (default 3.0; raise for big pools)",
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR / "projects.csv", help="output CSV")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="scenario data directory")
    args = parser.parse_args(argv)
    frame = generate_projects(load_counties(args.data_dir), None, args.seed, args.rate)
    args.out.write_text(to_csv_text(frame), encoding="utf-8")
    print(f"wrote {len(frame)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
