"""``import`` and ``export`` commands: GTFS/GTFS-JP feeds and ridership counts in and out.

:func:`register` adds them to the main app (``sim/cli/app.py`` calls it and passes its error
wrapper and console, so this module does not import the app back).
"""

import dataclasses
import datetime
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sim.errors import InputError


def _date(text: str | None, option: str) -> datetime.date | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r}: not a date YYYY-MM-DD") from None


def _scenario_source(target: Path, overrides: list[str]):
    """A scenario file, or a run directory's ``scenario.toml`` (relative paths from that folder)."""
    from sim.scenario.schema import load_scenario

    path = target / "scenario.toml" if target.is_dir() else target
    if target.is_dir() and not path.is_file():
        raise InputError(f"{target}: a directory without scenario.toml; give a scenario .toml file or a run directory")
    sc, base = load_scenario(path, overrides=overrides)
    return sc, base, path


def register(app: typer.Typer, *, errors: Callable[[Any], Any], out_console: Console, default_scenario: Path) -> None:
    """Add the ``import`` and ``export`` command groups to ``app``."""
    import_app = typer.Typer(no_args_is_help=True, help="Bring in data from other tools: GTFS/GTFS-JP feeds, ridership counts.")
    export_app = typer.Typer(
        no_args_is_help=True, help="Write a scenario or run in other tools' formats: GTFS/GTFS-Flex, ridership counts."
    )
    _errors = errors
    DEFAULT_SCENARIO = default_scenario
    SetOpt = Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a scenario value by dotted path, e.g. services.choisoko.fleet_size=6."),
    ]

    @import_app.command("gtfs")
    @_errors
    def import_gtfs(
        feed: Annotated[Path, typer.Argument(help="GTFS or GTFS-JP feed: a .zip or a folder of .txt files.")],
        out: Annotated[Path, typer.Option("--out", help="Scenario file to write (.toml).")],
        vehicle: Annotated[str, typer.Option("--vehicle", help="Vehicle type (of the base scenario) that runs the imported lines.")],
        route: Annotated[list[str] | None, typer.Option("--route", help="route_id to import (repeat; default: every route).")] = None,
        scenario: Annotated[Path, typer.Option("--scenario", help="Base scenario: its network, vehicles and other services.")] = DEFAULT_SCENARIO,
        max_snap_m: Annotated[float, typer.Option("--max-snap-m", min=0.0, help="Largest distance (m) from a stop to its road node.")] = 500.0,
        date: Annotated[str | None, typer.Option("--date", help="Import the trips of this date (YYYY-MM-DD) instead of each weekday's usual trips.")] = None,
        replace_lines: Annotated[bool, typer.Option("--replace-lines", help="Disable the base scenario's own fixed lines.")] = False,
    ) -> None:
        """Turn routes of a GTFS / GTFS-JP feed into fixed-line services of a scenario file."""
        from sim.atomic import write_text
        from sim.interop.gtfs_import import import_routes, import_toml, with_base_rules
        from sim.interop.gtfs_read import read_feed
        from sim.run.runner import NetworkCache
        from sim.scenario.schema import FixedLine, load_scenario

        _load = load_scenario

        if out.suffix != ".toml":
            raise InputError(f"--out {out}: give a .toml file name")
        when = _date(date, "--date")
        base, base_dir = load_scenario(scenario)
        if vehicle not in base.vehicles:
            raise InputError(f"--vehicle {vehicle!r}: not a vehicle type of {scenario}; defined: {', '.join(sorted(base.vehicles))}")
        net = NetworkCache().get(base.network.source, base_dir)
        fd = read_feed(feed)
        imported = import_routes(fd, net, route or None, vehicle=vehicle, max_snap_m=max_snap_m,
                                 service_date=when.isoformat() if when else None)
        # a route named like a line of the base scenario keeps that line's rules GTFS cannot hold
        # (max_wait_min, spare_vehicles, depot, ...), and would merge into it (extends): keep both apart
        imported = [with_base_rules(il, base.services[il.route.route_id])
                    if isinstance(base.services.get(il.route.route_id), FixedLine) else il for il in imported]
        imported = [il if il.name not in base.services else dataclasses.replace(il, name=f"{il.name}_gtfs") for il in imported]
        rel = os.path.relpath(scenario.resolve(), out.resolve().parent)
        text = import_toml(imported, extends=rel, feed=fd, name=f"{base.name}_gtfs", net=net)
        if replace_lines:
            off = [n for n, s in base.services.items() if isinstance(s, FixedLine) and n not in {i.name for i in imported}]
            text += "".join(f"\n[services.{n}]\nenabled = false\n" for n in off)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.check.toml")
        try:  # the written file must load as a scenario before it replaces anything
            write_text(tmp, text)
            _load(tmp)
        except InputError as exc:
            raise InputError(f"{str(exc).replace(str(tmp), str(out))} (nothing written)") from None
        finally:
            tmp.unlink(missing_ok=True)
        write_text(out, text)
        table = Table(title=f"imported from {feed.name} onto {net.name}", header_style="bold")
        for col in ("service", "route", "days", "trips", "stops", "largest snap m"):
            table.add_column(col, justify="right" if col in ("trips", "stops", "largest snap m") else "left")
        for il in imported:
            table.add_row(il.name, il.route.route_id, ",".join(il.days), str(il.trip_count), str(len(il.snapped)),
                          f"{max(s.distance_m for s in il.snapped):.0f}")
        out_console.print(table)
        out_console.print(f"scenario written to {out} (stop-by-stop snapping in its header comments)", highlight=False)


    @export_app.command("gtfs")
    @_errors
    def export_gtfs(
        target: Annotated[Path, typer.Argument(help="Scenario .toml file or run directory.")],
        out: Annotated[Path, typer.Option("--out", help="Feed to write (.zip).")],
        overrides: SetOpt = None,
        agency_name: Annotated[str, typer.Option("--agency-name", help="agency_name of the feed.")] = "Simulated plan",
        agency_url: Annotated[str, typer.Option("--agency-url", help="agency_url (GTFS requires one; default a placeholder).")] = "https://example.org/",
        start_date: Annotated[str, typer.Option("--start-date", help="First date of the calendar (YYYY-MM-DD).")] = "2026-04-01",
        end_date: Annotated[str, typer.Option("--end-date", help="Last date of the calendar (YYYY-MM-DD).")] = "2027-03-31",
    ) -> None:
        """Write a scenario's lines as GTFS and its DRT services as GTFS-Flex."""
        from sim.interop.gtfs_write import FeedOptions, write_feed
        from sim.run.plan import plan_scenario

        if out.suffix != ".zip":
            raise InputError(f"--out {out}: give a .zip file name")
        start, end = _date(start_date, "--start-date"), _date(end_date, "--end-date")
        assert start is not None and end is not None
        if end < start:
            raise InputError(f"--end-date {end_date!r} is before --start-date {start_date!r}")
        sc, base, path = _scenario_source(target, overrides or [])
        plan = plan_scenario(sc, base, source=str(path))
        counts = write_feed(plan, out, FeedOptions(agency_name=agency_name, agency_url=agency_url, start=start, end=end))
        table = Table(title=f"GTFS feed of {sc.name}", header_style="bold")
        table.add_column("file")
        table.add_column("rows", justify="right")
        for f, n in counts.items():
            table.add_row(f, str(n))
        out_console.print(table)
        out_console.print(f"feed written to {out}", highlight=False)


    @export_app.command("ridership")
    @_errors
    def export_ridership(
        run_dir: Annotated[Path, typer.Argument(help="Results directory of a run.")],
        out: Annotated[Path, typer.Option("--out", help="Folder for boardings.csv (乗降集計データ) and stop_od.csv (駅・バス停間ODデータ).")],
        date: Annotated[str, typer.Option("--date", help="Date the simulated day stands for (YYYY-MM-DD).")] = "2026-04-01",
    ) -> None:
        """Write a run's boardings per trip and stop, and its stop-to-stop ODs, in the MLIT formats."""
        from sim.interop.ridership import BOARDING_COLUMNS, BOARDING_FILE, OD_COLUMNS, OD_FILE, rides_of_run_dir, simulated_counts, write_counts
        from sim.run.plan import plan_scenario

        day = _date(date, "--date")
        assert day is not None
        if not run_dir.is_dir():
            raise InputError(f"{run_dir}: not a results directory")
        if out.exists() and not out.is_dir():
            raise InputError(f"--out {out}: exists and is not a directory; give a directory path")
        sc, base, path = _scenario_source(run_dir, [])
        plan = plan_scenario(sc, base, source=str(path))
        rides, drives, first = rides_of_run_dir(run_dir, plan)
        stops, od = simulated_counts(plan, rides, drives, first, date=day)
        write_counts(out / BOARDING_FILE, stops, BOARDING_COLUMNS)
        write_counts(out / OD_FILE, od, OD_COLUMNS)
        out_console.print(
            f"{sum(s.count_geton for s in stops)} boardings on {len({(s.route_id, s.trip_id) for s in stops})} trips "
            f"written to {out / BOARDING_FILE}; {len(od)} stop pairs to {out / OD_FILE}",
            highlight=False,
        )


    @import_app.command("ridership")
    @_errors
    def import_ridership(
        counts: Annotated[Path, typer.Argument(help="乗降集計データ or 駅・バス停間ODデータ CSV (UTF-8).")],
        out: Annotated[Path | None, typer.Option("--out", help="Table to write (.csv): observed counts per day, beside the simulated ones with --run.")] = None,
        feed: Annotated[Path | None, typer.Option("--feed", help="GTFS feed the counts' ids refer to (checked).")] = None,
        run: Annotated[Path | None, typer.Option("--run", help="Results directory to set the simulated counts beside (ids as `export gtfs` writes them).")] = None,
        targets: Annotated[Path | None, typer.Option("--targets", help="Write a `calibrate` targets file (.toml): the line constant fitted to the observed boardings a day (needs --scenario).")] = None,
        scenario: Annotated[Path | None, typer.Option("--scenario", help="Scenario whose lines the counts' routes became (for --targets; its [ridership] routes apply).")] = None,
    ) -> None:
        """Read observed ridership counts in the MLIT formats, check their ids, and tabulate them
        (per counted day) beside a run's simulated counts, or turn them into calibration targets."""
        from sim.atomic import write_csv
        from sim.interop.gtfs_read import read_feed
        from sim.interop.ridership import StopCount, check_ids, observed_vs_simulated, read_counts, rides_of_run_dir, simulated_counts
        from sim.run.plan import plan_scenario

        if out is None and targets is None:
            raise InputError("give --out TABLE.csv and/or --targets TARGETS.toml")
        if out is not None and out.suffix != ".csv":
            raise InputError(f"--out {out}: give a .csv file name")
        if targets is not None:
            if targets.suffix != ".toml":
                raise InputError(f"--targets {targets}: give a .toml file name")
            if scenario is None:
                raise InputError("--targets needs --scenario SCENARIO.toml (the lines the counted routes became)")
            text = _targets_text(counts, feed, scenario)
        observed = read_counts(counts)
        if feed is not None:
            fd = read_feed(feed)
            check_ids(observed, routes=set(fd.routes), trips=set(fd.trip_ids), stops=set(fd.stops), source=counts, feed=str(feed))
        simulated: list = []
        if run is not None:
            sc, base, path = _scenario_source(run, [])
            plan = plan_scenario(sc, base, source=str(path))
            rides, drives, first = rides_of_run_dir(run, plan)
            day = datetime.date(2026, 4, 1)
            stops, od = simulated_counts(plan, rides, drives, first, date=day)
            simulated = stops if observed and isinstance(observed[0], StopCount) else od
            if feed is None:
                from sim.interop.flex import zone_id
                from sim.interop.gtfs_write import stop_id, trip_id

                trips = {trip_id(n, t.trip_id) for n, lay in plan.lines.items() for t in lay.trips}
                trips |= {zone_id(n, a.name) for n, lay in plan.drt.items() for a in lay.areas}
                check_ids(observed, routes=set(plan.lines) | set(plan.drt), trips=trips,
                          stops={stop_id(plan, k) for k in range(plan.network.n)}, source=counts, feed=f"the export of {run}")
        kind = "boardings (乗降集計データ)" if observed and isinstance(observed[0], StopCount) else "OD (駅・バス停間ODデータ)"
        out_console.print(f"{len(observed)} rows of {kind} read from {counts} ({len({c.date for c in observed})} dates)",
                          highlight=False)
        if out is not None:
            head, rows = observed_vs_simulated(observed, simulated)
            write_csv(out, head, rows)
            out_console.print(f"table written to {out}", highlight=False)
        if targets is not None:
            from sim.atomic import write_text

            write_text(targets, text)
            out_console.print(f"calibration targets written to {targets} (python main.py calibrate {scenario} --targets {targets})",
                              highlight=False)

    def _targets_text(counts: Path, feed: Path | None, scenario: Path) -> str:
        """The targets file of ``counts`` for the lines of ``scenario`` (checked like a run's ``[ridership]``)."""
        from sim.interop.observed import calibration_targets, load_observed
        from sim.run.runner import NetworkCache
        from sim.scenario.schema import load_scenario

        sc, base = load_scenario(scenario)
        update: dict[str, Any] = {"observed": [str(counts.resolve())], "feed": str(feed.resolve()) if feed else None}
        sc = sc.model_copy(update={"ridership": sc.ridership.model_copy(update=update)})
        net = NetworkCache().get(sc.network.source, base)
        observed = load_observed(sc, base, net, source=str(scenario))
        assert observed is not None
        return calibration_targets(observed)

    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")
