"""Layer 3, the report: evidence, the Markdown summary, the receipt, and the finalize pipeline.

Imports the layers below (core, inputs, judge); never :mod:`perf_gate.github` or the entry points.
"""
