"""Reports from results directories: charts, maps, HTML and Markdown (the only matplotlib user).

Use :func:`sim.report.build.build_report`. Submodules import matplotlib lazily, so importing this
package is cheap.
"""
