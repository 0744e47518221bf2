"""Publishing the gate's decision to GitHub: check run, Ledger row, progress comment.

``publish.publish_from_environment`` is what ``perf-gate finalize`` calls;
``publish.publish_command`` is ``perf-gate publish`` for the fork-safe second workflow.
"""
