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

from sim.errors import InputError, SimError

F = TypeVar("F", bound=Callable[..., Any])

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = REPO / "scenarios" / "sodegaura" / "baseline.toml"

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Simulate fixed-route, on-demand (DRT) and autonomous public transport over a road network.",
)
network_app = typer.Typer(no_args_is_help=True, help="Inspect, build and fetch road networks.")
app.add_typer(network_app, name="network")

_state = {"debug": False}
out_console = Console()
err_console = Console(stderr=True)


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
            err_console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:  # noqa: BLE001 - the edge of the program
            if _state["debug"]:
                raise
            err_console.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _kpi_table(metrics: dict[str, Any], title: str) -> Table:
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    rows = [
        ("requests (served / total)", f"{metrics['requests_served']} / {metrics['requests_total']}"),
        ("rejection rate", _fmt(metrics["rejection_rate"] * 100 if metrics["rejection_rate"] is not None else None) + " %"),
        ("wait mean / p50 / p90 (min)", " / ".join(_fmt(metrics[k] / 60 if metrics[k] is not None else None) for k in ("wait_mean_s", "wait_p50_s", "wait_p90_s"))),
        ("ride mean (min)", _fmt(metrics["ride_mean_s"] / 60 if metrics["ride_mean_s"] is not None else None)),
        ("detour (ride / direct)", _fmt(metrics["detour_mean"], 2)),
        ("walk mean (m)", _fmt(metrics["walk_mean_m"], 0)),
        ("transfers", _fmt(metrics["transfers"])),
        ("vehicles", _fmt(metrics["vehicles"])),
        ("vehicle-km / vehicle-hours", f"{_fmt(metrics['vehicle_km'])} / {_fmt(metrics['vehicle_hours'])}"),
        ("empty km share", _fmt(metrics["empty_km_share"], 2)),
        ("passengers per vehicle-hour", _fmt(metrics["passengers_per_vehicle_hour"], 2)),
        ("mean occupancy (pax-km / veh-km)", _fmt(metrics["occupancy_mean"], 2)),
        ("fare revenue (¥)", _fmt(metrics["fare_revenue_yen"], 0)),
    ]
    for k, v in rows:
        table.add_row(k, v)
    return table


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
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


@app.command()
@_errors
def run(
    scenario: ScenarioArg = None,
    out: Annotated[Path | None, typer.Option("--out", help="Results directory (default results/<scenario name>).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (default: the scenario's).", min=0)] = None,
    overrides: SetOpt = None,
) -> None:
    """Simulate one service day of a scenario and write the results directory."""
    from sim.results import write_results
    from sim.runner import run_scenario
    from sim.scenario import load_scenario

    path = scenario or DEFAULT_SCENARIO
    sc, base = load_scenario(path, overrides=overrides or [])
    target = out or (REPO / "results" / sc.name)
    if target.exists() and not target.is_dir():
        raise InputError(f"--out {target}: exists and is not a directory; give a directory path")
    with _progress() as progress:
        task = progress.add_task(f"simulating {sc.name}", total=None)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = run_scenario(sc, base, seed=seed, progress=tick, source=str(path))
    write_results(result, target)
    m = result.metrics
    out_console.print(_kpi_table(m, f"{sc.name} (seed {result.seed})"))
    if result.network.synthetic:
        out_console.print(f"[yellow]network:[/] {result.network.provenance}", highlight=False)
    out_console.print(f"results written to {target}", highlight=False)


@app.command()
@_errors
def validate(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario TOML files.")],
    overrides: SetOpt = None,
) -> None:
    """Check scenario files (schema, references to vehicles, places and districts) without running them."""
    from sim.drt import build_layout
    from sim.runner import NetworkCache
    from sim.scenario import load_scenario
    from sim.zones import load_sodegaura_zones

    cache = NetworkCache()
    for path in scenarios:
        sc, base = load_scenario(path, overrides=overrides or [])
        net = cache.get(sc.network.source, base)
        zones = load_sodegaura_zones(population_total=sc.demand.population_total) if sc.demand.zones == "sodegaura" else None
        for name, svc in sc.services.items():
            build_layout(name, svc, net, zones, source=str(path))
        if sc.demand.csv:
            from sim.demand import read_demand_csv

            csv_path = Path(sc.demand.csv)
            read_demand_csv(csv_path if csv_path.is_absolute() else base / csv_path, net)
        out_console.print(f"{path}: ok ({sc.name}: {len(sc.services)} service(s) on {net.name})", highlight=False)


@network_app.command("info")
@_errors
def network_info(
    source: Annotated[str, typer.Argument(help="Embedded name (sodegaura, tachikawa), a .graphml[.gz]/.osm[.bz2] file, or place:<query>.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Print nodes, edges, road km, components, bounding box and circuity of a network."""
    from sim.network import load_network

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
    from sim.network import fetch_network

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
