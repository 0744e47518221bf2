"""Layer 2, the judge: policy, comparison, sample statistics and the decision.

Imports only :mod:`perf_gate.core` and :mod:`perf_gate.inputs`; never report or publish.
"""
