"""Work a report shares instead of repeating (issue 15): road layers built once per network, the
font subset cached by glyph set, every figure drawn once per language; the bytes stay the same."""

from __future__ import annotations

import io
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.network.io import load_network


def _old_roads(net: Any) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The segments the maps drew before (one walk of the graph per panel)."""
    g = net.graph
    segs, seen = [], set()
    for u, v in g.edges():
        key = (u, v) if str(u) <= str(v) else (v, u)
        if key in seen:
            continue
        seen.add(key)
        a, b = g.nodes[u], g.nodes[v]
        segs.append(((a["x"], a["y"]), (b["x"], b["y"])))
    return segs


def _old_area(net: Any, members: np.ndarray) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    g, ids = net.graph, net.node_ids
    member_ids = {ids[i].item() if hasattr(ids[i], "item") else ids[i] for i in np.flatnonzero(members)}
    return [((g.nodes[u]["x"], g.nodes[u]["y"]), (g.nodes[v]["x"], g.nodes[v]["y"]))
            for u, v in g.edges() if u in member_ids and v in member_ids]


def _png(draw: Any, extent: tuple[float, float, float, float]) -> bytes:
    """PNG of one axes drawn by ``draw`` with the view set to ``extent`` afterwards (as the maps do)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 3))
    ax = fig.add_subplot()
    draw(ax)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def test_road_geometry_is_the_old_walk_and_draws_the_same_pixels() -> None:
    from matplotlib.collections import LineCollection

    from sim.report.roads import area_paths, draw_roads, line_collection, road_geometry

    net = load_network("sodegaura")
    geo = road_geometry(net)
    old = _old_roads(net)
    assert geo.roads.shape == (len(old), 2, 2) and geo.roads.tolist() == [[list(a), list(b)] for a, b in old]
    members = np.zeros(net.n, dtype=bool)
    members[np.arange(0, net.n, 3)] = True
    area = _old_area(net, members)
    paths = area_paths(geo, members)
    assert len(paths) == len(area) > 0
    assert [p.vertices.tolist() for p in paths] == [[list(a), list(b)] for a, b in area]
    # the shared paths (data limits not measured) give the pixels of a collection built from the segments
    extent = (float(net.lon.min()), float(net.lon.max()), float(net.lat.min()), float(net.lat.max()))
    assert _png(lambda ax: draw_roads(ax, geo), extent) == _png(
        lambda ax: ax.add_collection(LineCollection(old, colors="#b9b9b9", linewidths=0.45, zorder=1)), extent)
    assert _png(lambda ax: ax.add_collection(line_collection(paths, colors="#4c9be8", linewidths=2.2, alpha=0.45)), extent) == _png(
        lambda ax: ax.add_collection(LineCollection(area, colors="#4c9be8", linewidths=2.2, alpha=0.45)), extent)


def test_run_networks_walks_each_network_once() -> None:
    from sim.report.maps import RunNetworks

    cache, net = RunNetworks(), load_network("sodegaura")
    assert cache.roads(net) is cache.roads(net)


def test_font_subset_cache_hit_gives_the_bytes_of_a_fresh_subset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.report import fontsubset
    from sim.report.style import japanese_font

    _, font = japanese_font()
    chars = "".join(sorted(set("袖ケ浦市の交通")))
    fresh = fontsubset.make_subset(font, chars)
    first = fontsubset.cached_subset(font, chars, tmp_path)
    assert first == fresh and first[:4] == b"wOFF"
    assert len(list(tmp_path.glob("*.woff"))) == 1

    def no_subsetting(*_: Any) -> bytes:
        raise AssertionError("the cached subset should have been used")

    monkeypatch.setattr(fontsubset, "make_subset", no_subsetting)
    assert fontsubset.cached_subset(font, chars, tmp_path) == fresh
    with pytest.raises(AssertionError):  # another glyph set is another key
        fontsubset.cached_subset(font, chars + "駅", tmp_path)
    monkeypatch.undo()
    assert fontsubset.make_subset(font, chars) == fresh  # the same glyphs always give the same bytes


def test_font_cache_keeps_at_most_max_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.report import fontsubset
    from sim.report.style import japanese_font

    _, font = japanese_font()
    monkeypatch.setattr(fontsubset, "MAX_FILES", 2)
    for c in "袖ケ浦":
        fontsubset.cached_subset(font, c, tmp_path)
    assert len(list(tmp_path.glob("*.woff"))) == 2


@pytest.mark.slow  # four reports of the tiny run; the quick check keeps test_report_command_takes_a_language_list
def test_reports_in_two_languages_draw_each_figure_once_per_language(
    tiny_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.report import build

    together, apart = tmp_path / "one_process", tmp_path / "two_processes"
    shutil.copytree(tiny_run, together)
    shutil.copytree(tiny_run, apart)
    drawn: Counter[tuple[str, str]] = Counter()
    real = build.png_bytes

    def counting(fig: Any, *, name: str) -> bytes:
        import matplotlib

        drawn[(name, "ja" if "IPAexGothic" == matplotlib.rcParams["font.family"][0] else "en")] += 1
        return real(fig, name=name)

    monkeypatch.setattr(build, "png_bytes", counting)
    written = build.build_reports(together, ["en", "ja", "en"])
    assert [paths[0].name for paths in written] == ["report.html", "report.ja.html"]
    names = {p.stem for p in written[0][2:]}
    assert names and names == {p.stem for p in written[1][2:]}
    assert drawn == Counter({(n, lang): 1 for n in names for lang in ("en", "ja")})
    monkeypatch.undo()
    build.build_report(apart, lang="en")
    build.build_report(apart, lang="ja")
    for folder in ("figures", "figures.ja"):
        for png in sorted((together / folder).glob("*.png")):
            assert png.read_bytes() == (apart / folder / png.name).read_bytes(), png
    for name in ("report.md", "report.ja.md"):
        text = (together / name).read_text(encoding="utf-8").replace("one_process", "two_processes")
        assert text == (apart / name).read_text(encoding="utf-8")


def test_report_command_takes_a_language_list(tiny_run: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sim.cli.app import app

    target = tmp_path / "out"
    shutil.copytree(tiny_run, target)
    result = CliRunner().invoke(app, ["report", str(target), "--lang", "en,ja"])
    assert result.exit_code == 0, result.output
    assert (target / "report.html").is_file() and (target / "report.ja.html").is_file()
    assert "report.ja.html" in result.output.replace("\n", "")
    bad = CliRunner().invoke(app, ["report", str(target), "--lang", "en,de"])
    assert bad.exit_code == 2 and "'de'" in bad.output
