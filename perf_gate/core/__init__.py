"""The bottom layer: data model, errors, units, the typed ``.perf-gate.yml``, atomic output.

Everything else may import from here; nothing here imports another layer.
"""
