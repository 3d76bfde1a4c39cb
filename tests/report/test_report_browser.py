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
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TINY_TOML, CliRun

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,  # end to end: a headless browser opens the reports
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
    """Headless Chromium with a profile of its own (browsers of parallel tests never share one)."""
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
               "--disable-extensions", "--disable-background-networking", f"--user-data-dir={profile}", *args]
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


@pytest.fixture(scope="module")
def comparison_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A comparison of two tiny scenarios with its report in English (report.html) and Japanese (report.ja.html)."""
    from sim.cli.app import app

    base = tmp_path_factory.mktemp("browser_decision")
    a, b = base / "a.toml", base / "b.toml"
    a.write_text(TINY_TOML, encoding="utf-8")
    b.write_text(TINY_TOML.replace('name = "tiny"', 'name = "tiny_av"').replace(
        "[vehicles.van]\ncapacity = 4", '[vehicles.van]\ncapacity = 4\nautomation = "level4_remote"'), encoding="utf-8")
    out = base / "cmp"
    runner = CliRunner()
    result = runner.invoke(app, ["compare", str(a), str(b), "--out", str(out), "--replications", "2", "--lang", "en"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["report", str(out), "--lang", "ja"])
    assert result.exit_code == 0, result.output
    return {"en": out / "report.html", "ja": out / "report.ja.html"}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_decision_page_screenshot(comparison_reports: dict[str, Path], lang: str, tmp_path: Path) -> None:
    from PIL import Image

    from sim.report.i18n import tr

    page = comparison_reports[lang]
    shot = tmp_path / f"decision_{lang}.png"
    proc = _chromium("--window-size=1000,1000", f"--screenshot={shot}", page.as_uri() + "#decision")
    assert shot.is_file(), proc.stderr[-2000:]
    with Image.open(shot) as img:
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50, "screenshot looks blank"
    dom = _chromium("--dump-dom", page.as_uri()).stdout
    assert 'id="decision"' in dom and tr(lang, "sec_decision") in dom
    assert dom.index('id="decision"') < dom.index('id="summary"')  # the first section a reader sees
