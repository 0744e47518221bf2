"""Inputs are read without garbage collections, and what was read is frozen afterwards."""

from __future__ import annotations

import gc

import pytest

from perf_gate import cli
from perf_gate.command_requests import FinalizeRequest
from perf_gate.core.heap import BATCH_THRESHOLD, batch_collection, reading_inputs


def test_no_collection_runs_while_inputs_are_read_and_they_are_frozen_after() -> None:
    gc.unfreeze()
    collections: list[str] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        collections.append(phase)

    gc.callbacks.append(seen)
    try:
        with reading_inputs():
            assert not gc.isenabled()
            read = [{"sample": [float(i)]} for i in range(50_000)]
        assert gc.isenabled()
        assert collections == []
        assert gc.get_freeze_count() >= len(read)
    finally:
        gc.callbacks.remove(seen)
        gc.unfreeze()


def test_the_collector_is_back_after_an_error_and_stays_off_if_it_was() -> None:
    with pytest.raises(ValueError), reading_inputs():
        raise ValueError("bad input")
    assert gc.isenabled()
    gc.disable()
    try:
        with reading_inputs():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_a_batch_collects_young_objects_less_often_and_restores_the_thresholds() -> None:
    old = gc.get_threshold()
    with pytest.raises(ValueError), batch_collection():
        assert gc.get_threshold() == BATCH_THRESHOLD
        raise ValueError("bad input")
    assert gc.get_threshold() == old


def test_finalize_runs_as_a_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, int, int]] = []

    def body(request: object, environ: object) -> int:
        seen.append(gc.get_threshold())
        return 0

    monkeypatch.setattr(cli, "_finalize", body)
    assert cli.finalize_command(FinalizeRequest(current=()), {}) == 0
    assert seen == [BATCH_THRESHOLD]
