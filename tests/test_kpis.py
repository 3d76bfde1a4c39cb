"""The KPI registry (sim.kpis): every KPI a run writes is registered once, with sane bounds and labels."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from sim import kpis
from sim.kpis import REGISTRY, Better, Group


def test_every_scalar_of_a_run_is_registered_and_every_registered_kpi_is_written(tiny_run: Path) -> None:
    metrics = json.loads((tiny_run / "metrics.json").read_text(encoding="utf-8"))
    scalars = [k for k, v in metrics.items() if k not in ("scenario", "seed") and not isinstance(v, (dict, list, str))]
    # the same keys, in metrics.json order (optional groups only in runs using them: behavioural demand, control room, ...)
    assert scalars == [k for k in kpis.names() if kpis.get(k).group not in kpis.OPTIONAL_GROUPS]  # type: ignore[union-attr]
    for service, entry in metrics["per_service"].items():
        assert set(entry) == set(kpis.names(per_service=True)), service


def test_the_layers_take_their_key_lists_from_the_registry() -> None:
    from sim.model.metrics import KPI_KEYS
    from sim.staffing.costs import COST_KPI_KEYS
    from sim.staffing.duties import STAFFING_KPI_KEYS, STAFFING_SERVICE_KPI_KEYS

    assert KPI_KEYS == kpis.names(Group.MODEL) and KPI_KEYS[0] == "requests_total"
    assert STAFFING_KPI_KEYS == kpis.names(Group.STAFFING) and COST_KPI_KEYS == kpis.names(Group.COST)
    assert set(STAFFING_SERVICE_KPI_KEYS) == set(kpis.names(Group.STAFFING, per_service=True))


def test_records_are_unique_and_consistent() -> None:
    names = [k.name for k in REGISTRY]
    aliases = [a for k in REGISTRY for a in k.aliases]
    assert len(set(names)) == len(names) and len(set(aliases)) == len(aliases) and not set(names) & set(aliases)
    for k in REGISTRY:
        assert k.lo is None or k.hi is None or k.lo < k.hi, k.name
        assert k.en and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", k.ja), k.name
        assert k.kind in {"min", "pct", "yen", "int", "fte", "m", "km", "h", "x"} and k.decimals >= 0, k.name
        if k.unit == "count":
            assert k.lo == 0.0 and k.kind == "int", k.name  # a count is never negative
        if k.kind == "min":
            assert k.unit == "s" and k.lo == 0.0, k.name
    for rate in ("rejection_rate", "empty_km_share"):
        assert (kpis.get(rate).lo, kpis.get(rate).hi) == (0.0, 1.0)  # type: ignore[union-attr]
    assert kpis.get("subsidy_yen_per_year").lo is None  # type: ignore[union-attr]  # fares can exceed cost
    assert kpis.get("wait_p90_s").better is Better.LOWER and kpis.get("passengers_served").better is Better.HIGHER  # type: ignore[union-attr]


def test_lookup_by_alias_and_service_and_clipping() -> None:
    assert kpis.get("staff_fte") is kpis.get("staff_fte_total")  # the report's name for it
    assert kpis.get("choisoko.wait_p90_s") is kpis.get("wait_p90_s")  # a service's own KPI
    assert kpis.get("nope") is None and kpis.bounds("nope") == (None, None)
    assert kpis.clip_interval("rejection_rate", -0.2, 1.3) == (0.0, 1.0)
    assert kpis.clip_interval("requests_served", -3.0, 5.0) == (0.0, 5.0)
    assert kpis.clip_interval("nope", -3.0, 5.0) == (-3.0, 5.0)
    low, high = kpis.clip_interval("wait_mean_s", math.nan, math.nan)
    assert math.isnan(low) and math.isnan(high)
    assert kpis.get("wait_p90_s").label("ja") == "待ち時間（90パーセンタイル）"  # type: ignore[union-attr]


def test_tolerances_are_defined_once() -> None:
    from sim import tolerance

    assert (tolerance.EPS_S, tolerance.EPS) == (1e-6, 1e-9)
    src = Path(tolerance.__file__).resolve().parent
    # a second EPS definition, or a tolerance written inline in a comparison (floors such as a
    # minimum edge time are values, not tolerances)
    pattern = re.compile(r"\bEPS\w*\s*=\s*[0-9]|[-+<>]\s*1e-(6|9)\b")
    offenders = [
        f"{p.relative_to(src)}:{n}"
        for p in src.rglob("*.py")
        if p.name != "tolerance.py"
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == [], offenders
