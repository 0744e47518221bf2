"""Layer 1, gathering inputs: parsers, baseline sources, the runner and A/B mode, hardware.

Imports only :mod:`perf_gate.core` and :mod:`perf_gate.schemas`; never the judge, the
report or the publish layers.
"""
