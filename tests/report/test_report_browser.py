"""Open a report in headless Chromium (Debian's ``chromium``; .ci/run installs it).

Checks that report.html, opened from disk with no network, renders (a screenshot that is not
blank) and that every embedded image loaded (``complete`` with a non-zero natural width). The
image check runs on a copy of the report with a small probe script appended, whose result
``--dump-dom`` prints.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import CliRun

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)"),
]

_PROBE = (
    "<script>window.addEventListener('load', function () {"
    " var imgs = Array.prototype.slice.call(document.images);"
    " var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;"
    " var p = document.createElement('pre'); p.id = 'image-probe';"
    " p.textContent = 'IMAGES ' + ok + '/' + imgs.length; document.body.appendChild(p); });</script>"
)


def _chromium(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           "--disable-extensions", "--disable-background-networking", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def report(tiny_cli_run: CliRun) -> Path:
    """report.html of a tiny run in Japanese (Japanese text needs the embedded font): the session's
    ``run tiny.toml --lang ja`` (tests/conftest.py), only read here."""
    return tiny_cli_run.out / "report.html"


def test_report_renders_in_chromium(report: Path, tmp_path: Path) -> None:
    from PIL import Image

    shot = tmp_path / "shot.png"
    proc = _chromium("--window-size=1000,1400", f"--screenshot={shot}", report.as_uri())
    assert shot.is_file(), proc.stderr[-2000:]
    with Image.open(shot) as img:
        rgb = img.convert("RGB")
        assert rgb.size == (1000, 1400)
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        non_white = sum(n for n, c in colours if c != (255, 255, 255))
    assert len(colours) > 50, "screenshot looks blank"
    assert non_white > 0.03 * 1000 * 1400, "screenshot is almost all white"


def test_every_image_loads_in_chromium(report: Path, tmp_path: Path) -> None:
    probe_dir = tmp_path / "probe"
    shutil.copytree(report.parent, probe_dir)
    page = probe_dir / "report.html"
    html = page.read_text(encoding="utf-8")
    images = html.count("<img ")
    assert images >= 8
    page.write_text(html.replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    proc = _chromium("--virtual-time-budget=15000", "--dump-dom", page.as_uri())
    found = re.search(r"IMAGES (\d+)/(\d+)", proc.stdout)
    assert found, f"probe did not run; stderr: {proc.stderr[-2000:]}"
    assert (int(found.group(1)), int(found.group(2))) == (images, images)
