"""Planning a study (sim.studies.plan): the one seed rule, points, run ids."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.errors import InputError
from sim.studies.plan import SEED_RULE, plan_study, replication_seed, replication_seeds, run_id


def test_replication_zero_is_the_root_seed_and_the_others_are_spawned() -> None:
    assert replication_seed(12229, 0) == 12229  # replication 0 is `run --seed 12229`
    seeds = replication_seeds(12229, 4)
    spawned = [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(12229).spawn(4)]
    assert seeds == [12229, *spawned[1:]]
    assert len(set(seeds)) == 4
    assert replication_seeds(12229, 6)[:4] == seeds  # more replications keep the earlier seeds
    assert [replication_seed(12229, k) for k in range(4)] == seeds  # a seed depends on (root, k) only
    assert replication_seeds(1, 3) != replication_seeds(2, 3)
    assert "replication 0 uses the root seed" in SEED_RULE


def test_replication_count_and_seed_are_checked() -> None:
    with pytest.raises(InputError, match="at least 1"):
        replication_seeds(1, 0)
    with pytest.raises(InputError, match="non-negative"):
        replication_seeds(-1, 2)


def test_every_point_gets_the_same_seeds_and_its_own_scenario(tiny_file: Path) -> None:
    study = plan_study(tiny_file, [{}, {"services.s.fleet_size": 3}], replications=2, seed=5, keys=["services.s.fleet_size"])
    assert study.seeds == (5, replication_seed(5, 1))
    jobs = study.jobs()
    assert [(j.point, j.replication, j.seed) for j in jobs] == [(0, 0, 5), (0, 1, study.seeds[1]), (1, 0, 5), (1, 1, study.seeds[1])]
    assert [p.row for p in study.points] == [{"services.s.fleet_size": 2}, {"services.s.fleet_size": 3}]  # base value filled in
    assert jobs[0].scenario.services["s"].fleet_size == 2 and jobs[2].scenario.services["s"].fleet_size == 3
    assert all(j.demand_from is None and j.results_dir is None for j in jobs)


def test_run_ids_name_scenario_seed_and_shared_demand(tiny_file: Path) -> None:
    study = plan_study(tiny_file, [{}, {"services.s.fleet_size": 2}, {"services.s.fleet_size": 3}], replications=1, keys=[])
    a, b, c = (p.scenario for p in study.points)
    assert run_id(a, 7) == run_id(b, 7)  # the same resolved scenario: one run
    assert run_id(a, 7) != run_id(a, 8) and run_id(a, 7) != run_id(c, 7)
    assert run_id(a, 7, demand_from=c) != run_id(a, 7)  # another scenario's demand is another run
    assert len(run_id(a, 7)) == 16
