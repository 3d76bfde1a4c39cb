"""Command-line interface (typer). Thin: parse, call, print; errors become one message and an exit code.

Exit codes: 0 success, 2 bad input (:class:`~sim.errors.InputError`), 1 any other failure.
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from sim.cli.outputs import LineProgress, build_report_into, report_done, study_output
from sim.errors import InputError, SimError, environment_error
from sim.paths import repo_root, safe_component

F = TypeVar("F", bound=Callable[..., Any])

REPO = repo_root()
DEFAULT_SCENARIO = REPO / "scenarios" / "sodegaura" / "baseline.toml"

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Simulate fixed-route, on-demand (DRT) and autonomous public transport over a road network.",
)
network_app = typer.Typer(no_args_is_help=True, help="Inspect, build and fetch road networks.")
app.add_typer(network_app, name="network")

_state = {"debug": False}
# markup off: messages quote user input (keys, values, names) literally, "[/]" included
out_console = Console(markup=False)
err_console = Console(stderr=True, markup=False)


def _labelled(label: str, style: str, text: str) -> Text:
    """``label`` in ``style`` followed by ``text`` shown literally (no markup)."""
    return Text.assemble((label, style), " ", text)


@app.callback()
def _main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False) -> None:
    _state["debug"] = debug


def _errors(func: F) -> F:
    """Turn :class:`SimError` (and anything unexpected) into one message and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except SimError as exc:
            if _state["debug"]:
                raise
            err_console.print(_labelled("error:", "bold red", str(exc)), highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - the edge of the program
            if _state["debug"]:
                raise
            env = environment_error(exc)
            if env is not None:
                err_console.print(_labelled("error:", "bold red", env), highlight=False, soft_wrap=True)
                raise typer.Exit(1) from None
            err_console.print(
                _labelled("internal error:", "bold red", f"{type(exc).__name__}: {exc} (run with --debug for the traceback)"),
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _progress() -> Progress | LineProgress:
    """A progress bar in a terminal; elsewhere a line every few seconds."""
    if not err_console.is_terminal:
        return LineProgress(err_console)
    return Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


ScenarioArg = Annotated[
    Path | None,
    typer.Argument(help="Scenario TOML file (default: the Sodegaura baseline).", show_default=False),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a scenario value by dotted path, e.g. services.choisoko.fleet_size=6."),
]


LangOpt = Annotated[str, typer.Option("--lang", help="Report language: en (English) or ja (Japanese).")]
NoReportOpt = Annotated[bool, typer.Option("--no-report", help="Do not write report.html, report.md and figures/.")]


def _check_lang(lang: str) -> None:
    """Reject an unknown ``--lang`` before any work is done."""
    from sim.report.i18n import LANGS

    if lang not in LANGS:
        raise InputError(f"--lang {lang!r}: unknown language; valid: {', '.join(LANGS)}")


@app.command()
@_errors
def run(
    scenario: ScenarioArg = None,
    out: Annotated[Path | None, typer.Option("--out", help="Results directory (default results/<scenario name>).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (default: the scenario's).", min=0)] = None,
    overrides: SetOpt = None,
    lang: LangOpt = "en",
    no_report: NoReportOpt = False,
    observed: Annotated[list[Path] | None, typer.Option(
        "--observed", help="Observed ridership counts (MLIT 乗降集計データ or OD CSV) to set beside the simulated ones (repeat).")] = None,
    observed_feed: Annotated[Path | None, typer.Option(
        "--observed-feed", help="GTFS feed the --observed counts' ids refer to (default: the ids `export gtfs` writes).")] = None,
) -> None:
    """Simulate one service day of a scenario and write the results directory."""
    from sim.outdir import writing
    from sim.run.results import write_results
    from sim.run.runner import run_scenario
    from sim.scenario.schema import load_scenario

    _check_lang(lang)
    path = scenario or DEFAULT_SCENARIO
    sc, base = load_scenario(path, overrides=overrides or [])
    if observed or observed_feed:  # as the scenario's [ridership] observed / feed, paths from here
        if not observed:
            raise InputError("--observed-feed needs --observed COUNTS.csv")
        update: dict[str, object] = {"observed": [str(p.resolve()) for p in observed]}
        if observed_feed is not None:
            update["feed"] = str(observed_feed.resolve())
        sc = sc.model_copy(update={"ridership": sc.ridership.model_copy(update=update)})
    target = out or (REPO / "results" / safe_component(sc.name))
    with writing(target) as staged:
        with _progress() as progress:
            task = progress.add_task(f"simulating {sc.name}", total=None)

            def tick(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            def stage(label: str) -> None:
                progress.update(task, description=label)

            result = run_scenario(sc, base, seed=seed, progress=tick, source=str(path), stage=stage)
        write_results(result, staged)
        report_paths, report_error = build_report_into(staged, lang=lang, no_report=no_report)
    m = result.metrics
    from sim.cli.tables import run_table

    out_console.print(run_table(m, f"{sc.name} (seed {result.seed})"))
    if result.network.synthetic:
        out_console.print(_labelled("network:", "yellow", result.network.provenance), highlight=False)
    out_console.print(f"results written to {target}", highlight=False)
    report_done(out_console, report_paths, report_error, staged, target)


SODEGAURA_SET = ("baseline", "drt_plus", "av_shuttle", "av_drt", "hybrid")


@app.command()
@_errors
def compare(
    scenarios: Annotated[
        list[Path] | None,
        typer.Argument(help="Scenario TOML files (default: the Sodegaura set).", show_default=False),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Comparison directory (default results/comparison).")] = None,
    replications: Annotated[
        int, typer.Option("--replications", "-r", min=1, help="Replications per scenario (replication 0 is run --seed ROOT).")
    ] = 1,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Root seed of the replications (default: the first scenario's seed).")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-j", min=1, help="Local worker processes.")] = 1,
    dask: Annotated[
        str | None,
        typer.Option("--dask", help="Run on an existing Dask cluster at this scheduler address (pip install '.[dask]').", show_default=False),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Reuse the runs stored in --out by an earlier comparison.")] = False,
    overrides: SetOpt = None,
    lang: LangOpt = "en",
    no_report: NoReportOpt = False,
) -> None:
    """Run several scenarios on the same demand and compare their KPIs side by side."""
    from sim.cli.tables import comparison_table
    from sim.outdir import writing
    from sim.studies.compare import run_comparison

    _check_lang(lang)
    paths = scenarios or [REPO / "scenarios" / "sodegaura" / f"{n}.toml" for n in SODEGAURA_SET]
    target = out or (REPO / "results" / "comparison")
    # with --resume the stored runs and the scenario folders are carried over (hard links)
    with _StudyRun("comparing", target) as tick, writing(
        target, keep=("runs",) if resume else (), keep_all=resume, salvage="runs"
    ) as staged:
        comp = run_comparison(
            paths,
            out=staged,
            replications=replications,
            seed=seed,
            overrides=overrides or [],
            workers=workers,
            dask=dask,
            resume=resume,
            progress=tick,
        )
        report_paths, report_error = build_report_into(staged, lang=lang, no_report=no_report)
    out_console.print(comparison_table(comp))
    _print_networks(comp.study)
    ex = comp.execution
    out_console.print(
        f"{ex.total} run(s): {ex.ran} run now, {ex.reused} reused; comparison written to {target / 'comparison.csv'}",
        highlight=False,
    )
    report_done(out_console, report_paths, report_error, staged, target)


@app.command()
@_errors
def report(
    results: Annotated[list[Path], typer.Argument(help="Results directories written by run or compare.", show_default=False)],
    lang: Annotated[
        str, typer.Option("--lang", help="Report language(s): en (English), ja (Japanese), or both as en,ja (drawn in one go).")
    ] = "en",
) -> None:
    """Rebuild report.html, report.md and figures/ of existing results (nothing is rerun)."""
    from sim.outdir import relocate, writing
    from sim.report.build import build_reports

    langs = [code.strip() for code in lang.split(",")]
    for code in langs:
        _check_lang(code)
    for directory in results:
        if not directory.is_dir():
            raise InputError(f"{directory}: no such results directory; give a directory written by run or compare")
        # the report is added to a copy (hard links) that replaces the directory whole
        with writing(directory, option="report", keep_all=True) as staged:
            written = build_reports(staged, langs)
        for paths in written:
            out_console.print(
                f"{directory}: report written to {relocate(paths[0], staged, directory)} ({len(paths) - 2} figures)", highlight=False
            )


@app.command()
@_errors
def validate(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario TOML files.")],
    overrides: SetOpt = None,
) -> None:
    """Check scenario files (schema, references to vehicles, places and districts) without running them."""
    from sim.demand.io import check_demand_csv
    from sim.run.assemble import NetworkCache, assemble, demand_csv_path
    from sim.scenario.schema import day_scenario, load_scenario

    cache = NetworkCache()
    for path in scenarios:
        sc, base = load_scenario(path, overrides=overrides or [])
        asm = assemble(sc, base, networks=cache, source=str(path))
        for name in sc.year.day_types if sc.year is not None else ():  # each day type's places, stops, domain
            day = day_scenario(sc, name, source=str(path))
            if any(s.enabled for s in day.services.values()):
                assemble(day, base, networks=cache, source=f"{path} (day type {name!r})")
        if sc.demand.attractor_weights and sc.demand.zones == "sodegaura":
            from sim.demand.zones import load_attractors

            load_attractors(weights=sc.demand.attractor_weights)
        csv_path = demand_csv_path(sc, base, source=str(path))
        if csv_path is not None:
            check_demand_csv(csv_path, asm.net, encoding=sc.demand.csv_encoding)
        from sim.interop.observed import load_observed

        load_observed(sc, base, asm.net, source=str(path))  # [ridership] count files, as a run reads them
        out_console.print(f"{path}: ok ({sc.name}: {len(sc.services)} service(s) on {asm.net.name})", highlight=False)


@network_app.command("info")
@_errors
def network_info(
    source: Annotated[str, typer.Argument(help="Embedded name (sodegaura, tachikawa), a .graphml[.gz]/.osm[.bz2] file, or place:<query>.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Print nodes, edges, road km, components, bounding box and circuity of a network."""
    from sim.network.io import load_network

    info = load_network(source, base_dir=Path.cwd()).info()
    data = {
        "name": info.name,
        "source": info.source,
        "synthetic": info.synthetic,
        "provenance": info.provenance,
        "nodes": info.nodes,
        "edges": info.edges,
        "road_km_directed": round(info.road_km, 3),
        "strongly_connected_components_before": info.components_before,
        "dropped_nodes": info.dropped_nodes,
        "dropped_edges": info.dropped_edges,
        "bbox_lon_lat": list(info.bbox),
        "circuity": round(info.circuity, 4) if info.circuity == info.circuity else None,
    }
    if as_json:
        out_console.print_json(json.dumps(data, ensure_ascii=False))
        return
    table = Table(title=f"network {info.name}", show_header=False)
    table.add_column("key")
    table.add_column("value")
    for k, v in data.items():
        table.add_row(k, str(v))
    out_console.print(table)


@network_app.command("fetch")
@_errors
def network_fetch(
    query: Annotated[str, typer.Argument(help='Place name for OpenStreetMap, e.g. "Sodegaura, Chiba, Japan".')],
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Where to store it (default networks/cache/).")] = None,
) -> None:
    """Download a drivable OSM network through osmnx (needs the internet) into the cache."""
    from sim.network.io import fetch_network

    path = fetch_network(query, cache_dir=cache_dir)
    out_console.print(f"saved {path}; use it with source = \"place:{query}\"", highlight=False)


@network_app.command("build")
@_errors
def network_build(
    name: Annotated[str, typer.Argument(help="Embedded network to rebuild (only 'sodegaura' is generated).")] = "sodegaura",
) -> None:
    """Rebuild the embedded synthetic Sodegaura network from its anchors (deterministic)."""
    import runpy

    if name != "sodegaura":
        raise InputError(f"network build: {name!r} cannot be built; only 'sodegaura' is generated here")
    script = REPO / "networks" / "sodegaura" / "build_network.py"
    argv = sys.argv
    try:
        sys.argv = [str(script)]
        runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = argv


# --------------------------------------------------------------------------- studies: sweep, size, sensitivity
# (sim/studies/sweep.py, size.py, sensitivity.py on the engine in sim/studies/; reports in sim/report/studies.py)

StudyScenarioArg = Annotated[Path, typer.Argument(help="Scenario TOML file.", show_default=False)]
ReplicationsOpt = Annotated[
    int, typer.Option("--replications", "-r", min=1, help="Runs per point, each with its own seed (the same seeds at every point).")
]
StudyOutOpt = Annotated[Path | None, typer.Option("--out", help="Study directory (default results/<scenario name>-<command>).")]
WorkersOpt = Annotated[int, typer.Option("--workers", "-j", min=1, help="Local worker processes.")]
DaskOpt = Annotated[
    str | None,
    typer.Option("--dask", help="Run on an existing Dask cluster at this scheduler address (pip install '.[dask]').", show_default=False),
]
ResumeOpt = Annotated[bool, typer.Option("--resume", help="Continue a study in --out, reusing its stored runs.")]
StudySeedOpt = Annotated[
    int | None, typer.Option("--seed", min=0, help="Root seed of the replication seeds (default: the scenario's seed).")
]
ServiceOpt = Annotated[
    list[str] | None,
    typer.Option("--service", help="Also tabulate this service's own KPIs as SERVICE.KPI columns (repeatable), e.g. choisoko.wait_p90_s."),
]


def _study_dir(out: Path | None, scenario: Path, command: str) -> Path:
    if out is not None:
        return out
    from sim.scenario.schema import load_raw

    name = load_raw(scenario).get("name", scenario.stem)
    folder = safe_component(name) if isinstance(name, str) else ""
    if not folder:
        raise InputError(f"{scenario}: key name: {name!r} cannot name a results folder; give --out")
    return REPO / "results" / f"{folder}-{command}"


class _StudyRun:
    """A progress bar for a study (``with _StudyRun(label, out) as tick``); Ctrl-C says how to resume (exit 130)."""

    def __init__(self, label: str, out: Path) -> None:
        self.label, self.out = label, out
        self.progress = _progress()

    def __enter__(self) -> Callable[[int, int | None], None]:
        self.progress.__enter__()
        task = self.progress.add_task(self.label, total=None)

        def tick(done: int, total: int | None) -> None:
            self.progress.update(task, completed=done, total=total)

        return tick

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        self.progress.__exit__(kind, exc, tb)
        if kind is KeyboardInterrupt:
            err_console.print(
                f"interrupted: every finished run is stored in {self.out / 'runs'}; "
                "run the same command with --resume to continue",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(130) from None


def _estimate_text(est: Any, kpi: str) -> str:
    from sim.report.studies import fmt_estimate

    return fmt_estimate(est, kpi, "en")


def _study_report(
    write: Callable[..., list[Path]], result: Any, *args: Any, lang: str, no_report: bool
) -> tuple[list[Path], SimError | None]:
    """Write a study's report (``report.html``, ``report.md``, ``figures/``) into its staging
    directory unless ``no_report``; :func:`report_done` prints it (or raises) after the swap."""
    if no_report:
        return [], None
    try:
        return write(result, *args, lang=lang), None
    except SimError as exc:
        return [], exc


def _print_networks(study: Any) -> None:
    """A ``network: <provenance>`` line per synthetic road network of a study (as ``run`` prints)."""
    for net in study.networks:
        if net.get("synthetic"):
            out_console.print(_labelled("network:", "yellow", str(net.get('provenance'))), highlight=False)


@app.command()
@_errors
def sweep(
    scenario: StudyScenarioArg,
    vary: Annotated[
        list[str] | None,
        typer.Option("--vary", help="KEY=v1,v2,... or KEY=LO..HI[:STEP] (dotted keys as for --set); repeat for a full grid."),
    ] = None,
    replications: ReplicationsOpt = 5,
    out: StudyOutOpt = None,
    workers: WorkersOpt = 1,
    dask: DaskOpt = None,
    resume: ResumeOpt = False,
    seed: StudySeedOpt = None,
    overrides: SetOpt = None,
    service: ServiceOpt = None,
    plot: Annotated[
        list[str] | None,
        typer.Option("--plot", help="KPI to plot against each varied key (repeatable; default wait_p90_s, rejection_rate and staff/cost KPIs)."),
    ] = None,
    lang: LangOpt = "en",
    no_report: NoReportOpt = False,
) -> None:
    """Run a full grid of scenario variants with replications; write runs.csv, summary.csv, figures and a report."""
    from sim.report.studies import write_sweep_report
    from sim.studies.grid import format_value, parse_axes
    from sim.studies.sweep import sweep as run_sweep

    _check_lang(lang)
    axes = parse_axes(vary or [])
    target = _study_dir(out, scenario, "sweep")
    with _StudyRun("sweep", target) as tick, study_output(target, resume) as staged:
        result = run_sweep(
            scenario,
            axes,
            staged,
            replications=replications,
            seed=seed,
            overrides=overrides or [],
            workers=workers,
            dask=dask,
            resume=resume,
            plot_kpis=plot or None,
            services=service or [],
            progress=tick,
        )
        report_paths, report_error = _study_report(write_sweep_report, result, lang=lang, no_report=no_report)
    shown = result.chosen
    table = Table(title=f"sweep of {scenario.name}: mean [95 % CI] over {replications} replication(s)", header_style="bold")
    for k in result.study.keys:
        table.add_column(k, overflow="fold")
    table.add_column("n", justify="right", overflow="fold")
    for k in shown:
        table.add_column(k, justify="right", overflow="fold")
    for s in result.summaries:
        table.add_row(*(format_value(s.point.row.get(k)) for k in result.study.keys), str(s.n), *(_estimate_text(s.estimates[k], k) for k in shown))
    out_console.print(table)
    _print_networks(result.study)
    ex = result.execution
    out_console.print(f"{ex.total} run(s): {ex.ran} run now, {ex.reused} reused; results written to {target}", highlight=False)
    report_done(out_console, report_paths, report_error, staged, target)


@app.command()
@_errors
def size(
    scenario: StudyScenarioArg,
    vary: Annotated[
        str | None, typer.Option("--vary", help="The monotone parameter and its range: KEY=LO..HI[:STEP] (or KEY=v1,v2,...).")
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option("--target", help='KPI bound to meet, e.g. "wait_p90_s<=900" or "rejection_rate<=0.05" (repeatable).'),
    ] = None,
    replications: ReplicationsOpt = 5,
    largest: Annotated[
        bool, typer.Option("--largest", help="Find the largest value meeting the targets (for parameters where smaller is better).")
    ] = False,
    out: StudyOutOpt = None,
    workers: WorkersOpt = 1,
    dask: DaskOpt = None,
    resume: ResumeOpt = False,
    seed: StudySeedOpt = None,
    overrides: SetOpt = None,
    service: ServiceOpt = None,
    lang: LangOpt = "en",
    no_report: NoReportOpt = False,
) -> None:
    """Find the smallest value of a parameter that meets every target, deciding with the 95 % CI (conservative bound)."""
    from sim.report.studies import write_size_report
    from sim.studies.grid import format_value, parse_vary
    from sim.studies.size import RULE, parse_target
    from sim.studies.size import size as run_size

    _check_lang(lang)
    if not vary:
        raise InputError("size: give the parameter and its range, e.g. --vary services.choisoko.fleet_size=2..12")
    axis = parse_vary(vary)
    targets = [parse_target(t) for t in target or []]
    if not targets:
        raise InputError('size: give at least one --target, e.g. --target "wait_p90_s<=900"')
    dest = _study_dir(out, scenario, "size")
    with _StudyRun(f"sizing {axis.key}", dest) as tick, study_output(dest, resume) as staged:
        result = run_size(
            scenario,
            axis,
            targets,
            staged,
            replications=replications,
            seed=seed,
            overrides=overrides or [],
            largest=largest,
            services=service or [],
            workers=workers,
            dask=dask,
            resume=resume,
            progress=tick,
        )
        report_paths, report_error = _study_report(write_size_report, result, lang=lang, no_report=no_report)
    s = result.search
    kp = list(dict.fromkeys(t.kpi for t in targets))
    table = Table(title=f"evaluated {axis.key}: mean [95 % CI] over {replications} replication(s)", header_style="bold")
    table.add_column(axis.key, justify="right", overflow="fold")
    for k in kp:
        table.add_column(k, justify="right", overflow="fold")
    table.add_column("meets targets", overflow="fold")
    for e in s.evaluations:
        table.add_row(format_value(e.value), *(_estimate_text(e.estimates[k], k) for k in kp), "yes" if e.meets(targets, "conservative") else "no")
    out_console.print(table)
    word = "largest" if largest else "smallest"
    goals = ", ".join(t.text for t in targets)

    def show(v: Any) -> str:
        return "none in range" if v is None else format_value(v)

    if s.answer is None:
        out_console.print(f"no value of {axis.key} in {format_value(axis.values[0])}..{format_value(axis.values[-1])} meets {goals} (conservative bound)", highlight=False)
    else:
        out_console.print(Text.assemble(("answer:", "bold"), f" {word} {axis.key} meeting {goals}: ", (format_value(s.answer), "bold")), highlight=False)
    out_console.print(
        f"uncertainty: point estimate {show(s.answers['mean'])}, optimistic {show(s.answers['optimistic'])}, conservative {show(s.answer)}",
        highlight=False,
    )
    out_console.print(f"rule: {RULE}", highlight=False, soft_wrap=True)
    for w in s.warnings:
        out_console.print(_labelled("warning:", "yellow", w), highlight=False)
    _print_networks(result.study)
    out_console.print(f"results written to {dest}", highlight=False)
    report_done(out_console, report_paths, report_error, staged, dest)


@app.command()
@_errors
def sensitivity(
    scenario: StudyScenarioArg,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="KEY=LOW,HIGH: vary this key alone to each value (repeatable)."),
    ] = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option("--kpi", help="KPI for a tornado chart (repeatable; default drivers_fte, wait_p90_s, cost_per_trip_yen where present)."),
    ] = None,
    replications: ReplicationsOpt = 5,
    out: StudyOutOpt = None,
    workers: WorkersOpt = 1,
    dask: DaskOpt = None,
    resume: ResumeOpt = False,
    seed: StudySeedOpt = None,
    overrides: SetOpt = None,
    service: ServiceOpt = None,
    lang: LangOpt = "en",
    no_report: NoReportOpt = False,
) -> None:
    """One-at-a-time sensitivity around a scenario: a table and a tornado chart per chosen KPI."""
    from sim.report.studies import write_sensitivity_report
    from sim.studies.grid import format_value
    from sim.studies.sensitivity import parse_param
    from sim.studies.sensitivity import sensitivity as run_sensitivity

    _check_lang(lang)
    params = [parse_param(p) for p in param or []]
    if not params:
        raise InputError("sensitivity: give at least one --param KEY=LOW,HIGH, e.g. --param services.choisoko.fleet_size=3,6")
    dest = _study_dir(out, scenario, "sensitivity")
    with _StudyRun("sensitivity", dest) as tick, study_output(dest, resume) as staged:
        result = run_sensitivity(
            scenario,
            params,
            staged,
            replications=replications,
            seed=seed,
            overrides=overrides or [],
            kpis=kpi or None,
            services=service or [],
            workers=workers,
            dask=dask,
            resume=resume,
            progress=tick,
        )
        report_paths, report_error = _study_report(write_sensitivity_report, result, lang=lang, no_report=no_report)
    for k in result.kpis:
        rows = result.rows[k]
        table = Table(title=f"{k}: base {_estimate_text(rows[0].base, k)} (mean [95 % CI])", header_style="bold")
        table.add_column("parameter", overflow="fold")
        table.add_column("low → KPI", justify="right", overflow="fold")
        table.add_column("high → KPI", justify="right", overflow="fold")
        for r in rows:
            table.add_row(
                f"{r.key} (base {format_value(r.base_value)})",
                f"{format_value(r.low_value)} → {_estimate_text(r.low, k)}",
                f"{format_value(r.high_value)} → {_estimate_text(r.high, k)}",
            )
        out_console.print(table)
    _print_networks(result.result.study)
    out_console.print(f"results written to {dest}", highlight=False)
    report_done(out_console, report_paths, report_error, staged, dest)



@app.command()
@_errors
def calibrate(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (its demand becomes behavioural).")],
    targets: Annotated[Path, typer.Option("--targets", help="Targets TOML file ([targets.NAME] tables).")],
    out: Annotated[Path | None, typer.Option("--out", help="TOML to write (default: calibration.toml beside the scenario).")] = None,
    max_iterations: Annotated[int, typer.Option("--max-iterations", min=1, help="Most re-runs.")] = 15,
    overrides: SetOpt = None,
) -> None:
    """Fit the behavioural demand's constants (and trip-rate scale) to targets; write a TOML that
    scenarios `extends` and a target-vs-simulated table (.md beside it). Exit 1 if not converged."""
    from sim.cli.calibrate import calibrate_command

    if not calibrate_command(scenario, targets, out, max_iterations, overrides or [], out_console):
        raise typer.Exit(1)


# import/export commands live in their own module (sim/cli/interop.py)
from sim.cli.interop import register as _register_interop  # noqa: E402

_register_interop(app, errors=_errors, out_console=out_console, default_scenario=DEFAULT_SCENARIO)
