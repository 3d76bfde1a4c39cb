"""The study engine: many runs of scenario variants with replications, on one plan, store and back end.

``grid`` parses ``--vary`` values; ``plan`` turns a scenario file and its variants into a
:class:`~sim.studies.plan.Study` with THE seed rule (replication 0 of root seed ``s`` is
``run --seed s``); ``store`` keeps each finished run as an atomic JSON file (resume);
``execute`` runs jobs in this process, on a local process pool or on Dask; ``networks`` hands each
run a pristine network copy; ``summary`` collects, summarises (intervals clipped to each KPI's
bounds, :mod:`sim.kpis`) and writes the tables. ``sweep``, ``size``, ``sensitivity`` and
``compare`` are the four studies built on them. Nothing here imports :mod:`sim.report`: the CLI
runs a study, then its report (:mod:`sim.report.studies`, :mod:`sim.report.build`).
"""
