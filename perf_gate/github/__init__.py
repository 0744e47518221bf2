"""Publishing the gate's decision to GitHub: check run, Ledger row, progress comment.

``publish.publish`` is what ``perf-gate finalize`` calls with the entry point's context;
``publish_receipt.publish_command`` is ``perf-gate publish`` for the fork-safe second workflow.
"""
