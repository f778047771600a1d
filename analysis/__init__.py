"""Market data, a local store, metrics and charts for executable research posts.

A post imports from five public modules, and from nothing else in the package:

- :mod:`analysis.data`: open the store, load series and columns, what is available, the
  "Data as of" notice;
- :mod:`analysis.metrics`: pure computations (returns, levels, the fed target, breadth, the
  easing-cycle study, the trade since publication);
- :mod:`analysis.charts`: every ``plot_*``, saving, the source line, labels and colours;
- :mod:`analysis.claims`: re-checking published claims, and cited figures;
- :mod:`analysis.post`: the post's own front matter and analysis window.

The rest is grouped by layer, each importing only from the layers below it:
``analysis.site`` (the build) over ``analysis.charts`` and ``analysis.post``, over
``analysis.claims``, over ``analysis.metrics``, over ``analysis.data``, over
``analysis.text``; ``analysis.cli`` is the top. ``analysis.testing`` (fakes for tests and
benchmarks) stands outside the layers, and nothing in the package imports it. The
``[tool.importlinter]`` contracts in ``pyproject.toml`` say this, and ``lint-imports``
checks it. Importing ``analysis`` does no work.
"""
