"""The report in a real headless browser (Debian's chromium with fonts-noto-cjk), offline.

Checks: no console error, no script error and no blocked request (the page's
Content-Security-Policy refuses every request, and the browser's resolver finds no host); a
drawn map (SVG paths of the 103 county shapes and the pair lines) and one SVG per chart; and
a screenshot whose Chinese glyphs are real glyphs, not tofu: the title rendered with its
characters reversed must give different pixels (tofu boxes are all alike, so a page without a
CJK font renders both the same), and must differ from a render of characters no font has.

Skipped only when chromium is absent outside CI; in CI (``CI`` set) a missing chromium fails.
"""

from __future__ import annotations

import html as html_mod
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from report_helpers import default_run

from shanchuan import htmlreport
from shanchuan.htmlreport.labels import text

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError(
            "the browser test needs Debian's chromium and fonts-noto-cjk in CI "
            "(.ci/run installs them)"
        )
    pytest.skip(
        "chromium is not installed (apt-get install chromium fonts-noto-cjk)",
        allow_module_level=True,
    )

#: Collects script errors, console errors and CSP violations, and writes them into the DOM
#: after the page has settled (the virtual-time budget runs the timer).
_HOOK = """<script>
window.__errs = [];
window.addEventListener('error', function (e) { window.__errs.push('error: ' + e.message); });
document.addEventListener('securitypolicyviolation', function (e) {
  window.__errs.push('blocked: ' + e.blockedURI + ' (' + e.violatedDirective + ')');
});
(function () {
  var ce = console.error;
  console.error = function () {
    window.__errs.push('console: ' + Array.prototype.join.call(arguments, ' '));
    return ce.apply(console, arguments);
  };
})();
setTimeout(function () {
  document.documentElement.setAttribute('data-errors', JSON.stringify(window.__errs));
}, 1500);
</script>"""


#: Hovers the first pair line of the map (as a reader would) and keeps the tooltip's text.
_HOVER = """<script>
setTimeout(function () {
  var chart = echarts.getInstanceByDom(document.getElementById('map'));
  var series = chart.getOption().series;
  var lines = series.findIndex(function (s) { return s.type === 'lines' && !s.silent; });
  chart.dispatchAction({type: 'showTip', seriesIndex: lines, dataIndex: 0});
  setTimeout(function () {
    var text = Array.prototype.map.call(document.querySelectorAll('#map div'),
      function (d) { return d.innerText; }).join(' | ');
    document.documentElement.setAttribute('data-tip', text);
  }, 300);
}, 600);
</script>"""


def _chromium(tmp: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{len(list(tmp.iterdir()))}"
    args = [
        CHROMIUM or "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: no host resolves
        f"--user-data-dir={profile}",
        "--virtual-time-budget=6000",
        *extra,
        url,
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=180, check=True)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    return htmlreport.write(path, default_run())


def test_report_loads_offline_without_errors_and_draws_the_map(
    report_file: Path, tmp_path: Path
) -> None:
    page = report_file.read_text(encoding="utf-8")
    probe = tmp_path / "probe.html"
    head, tail = page.replace("</head>", _HOOK + "</head>", 1).rsplit("</body>", 1)
    probe.write_text(head + _HOVER + "</body>" + tail, encoding="utf-8")
    dom = _chromium(tmp_path, probe.as_uri(), "--dump-dom").stdout
    m = re.search(r'data-errors="([^"]*)"', dom)
    assert m, "the page never settled (no data-errors attribute)"
    errors = json.loads(m.group(1).replace("&quot;", '"'))
    assert errors == []
    # hovering a pair line shows its criteria and reasons
    first = default_run().to_dict()["matching"]["pairs"][0]
    tip = html_mod.unescape(re.search(r'data-tip="([^"]*)"', dom).group(1))  # type: ignore[union-attr]
    assert f"{first['recipient']} – {first['supporter']}" in tip, tip[:500]
    assert text("score", "zh") in tip and text("reasons", "zh") in tip
    assert text("crit_industry", "zh") in tip
    # the map: an SVG holding the 103 county shapes, prefecture borders and 22 pair lines
    map_part = dom.split('id="map"', 1)[1].split("</section>", 1)[0]
    assert "<svg" in map_part
    assert map_part.count("<path") >= 103 + 22
    charts = int(re.search(r'data-charts="(\d+)"', dom).group(1))  # type: ignore[union-attr]
    divs = re.findall(r'<div class="chart" id="(chart-[a-z_]+)"', page)
    assert charts == len(divs) + 1 == 8  # the map and seven charts
    for div in divs:
        part = dom.split(f'id="{div}"', 1)[1][:20000]
        assert "<svg" in part, div


def _png_rows(path: Path, max_rows: int | None = None) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (what chromium writes) into its first rows of pixels."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(min(height, max_rows or height)):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def _title_band(path: Path) -> list[bytes]:
    rows = _png_rows(path, max_rows=55)[2]
    return rows[5:55]  # the <h1> line of the header


def test_screenshot_shows_real_chinese_glyphs(report_file: Path, tmp_path: Path) -> None:
    page = report_file.read_text(encoding="utf-8")
    title = text("title", "zh")
    assert f"<h1>{title}</h1>" in page
    variants = {
        "report": page,
        "reversed": page.replace(f"<h1>{title}</h1>", f"<h1>{title[::-1]}</h1>", 1),
        # private-use characters: no font has them, so they render as tofu (or nothing)
        "tofu": page.replace(f"<h1>{title}</h1>", "<h1>" + "\ue000" * len(title) + "</h1>", 1),
    }
    bands = {}
    for name, html in variants.items():
        src = tmp_path / f"{name}.html"
        src.write_text(html, encoding="utf-8")
        shot = tmp_path / f"{name}.png"
        _chromium(
            tmp_path,
            src.as_uri(),
            f"--screenshot={shot}",
            "--window-size=1280,400",
            "--hide-scrollbars",
        )
        bands[name] = _title_band(shot)
    # something is drawn in the title band: light text on the dark header
    light = sum(1 for row in bands["report"] for px in row[::3] if px > 200)
    assert light > 500
    assert bands["report"] != bands["reversed"], "every CJK glyph looks alike: tofu"
    assert bands["report"] != bands["tofu"]


def test_full_page_screenshot(report_file: Path, tmp_path: Path) -> None:
    shot = tmp_path / "full.png"
    _chromium(tmp_path, report_file.as_uri(), f"--screenshot={shot}", "--window-size=1280,1800")
    width, height, rows = _png_rows(shot, max_rows=800)
    assert (width, height) == (1280, 1800)
    # the map area is not blank: many distinct colours (county fills, lines, labels)
    colours = {row[i : i + 3] for row in rows[200:800:4] for i in range(0, len(row), 12)}
    assert len(colours) > 50
