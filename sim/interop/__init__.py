"""Data in and out in the formats planners' tools speak (one concern per module).

gtfs_read (GTFS / GTFS-JP feeds, checked), gtfs_import (routes as lines: ``import gtfs`` and the
``gtfs =`` line key), gtfs_write and flex (``export gtfs``: GTFS + GTFS-Flex), ridership (MLIT
乗降集計データ / 駅・バス停間ODデータ), gis (``geo/results.gpkg``), excel (``results.xlsx``,
``comparison.xlsx``), layouts (the plan of a scenario and area polygons).

Floor: above staffing, below run (``staffing < interop < run``): the run layer calls into it
(the ``gtfs =`` key, the per-run workbook and layers); it reads finished runs through the
``FinishedRun`` protocol (:mod:`sim.interop.layouts`), never by importing ``sim.run``.
"""
