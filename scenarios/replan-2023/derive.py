"""Derive the inputs of the rolling re-plan example from the default scenario.

ILLUSTRATIVE: nothing here was executed in reality. The "executed" years 2021–2022 are the
default scenario's own plan for those years (synthetic projects, assumed fund), and the pair
file is the default scenario's suggested pairing. Deterministic: the same package version and
default data give byte-identical files.

    python scenarios/replan-2023/derive.py            # rewrites pairs.csv and executed.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shanchuan import pipeline

HERE = Path(__file__).resolve().parent
QUIET = [
    "allocation.analysis.rule_costs=false",
    "allocation.analysis.force_unfunded=0",
    "allocation.analysis.best_unfunded=0",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--through", type=int, default=2022, help="last executed year")
    args = parser.parse_args()
    outcome = pipeline.run(None, sets=QUIET, progress=lambda message: None)
    pairs = outcome.match.result.pairs_frame()[["recipient", "supporter"]]
    pairs.to_csv(args.out / "pairs.csv", index=False, lineterminator="\n")
    plan = outcome.allocation.result.projects_frame()
    executed = plan.loc[
        plan["year"] <= args.through, ["id", "year", "special_fund_wan", "supporter_fund_wan"]
    ].rename(columns={"id": "project"})
    executed.sort_values(["year", "project"]).to_csv(
        args.out / "executed.csv", index=False, lineterminator="\n"
    )
    print(f"wrote {len(pairs)} pairs and {len(executed)} executed project-years")


if __name__ == "__main__":
    main()
