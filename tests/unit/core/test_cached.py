"""``@cached``: computed on first read, then read from the instance like a plain attribute."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from perf_gate.core.cached import cached


@dataclass(frozen=True)
class Counted:
    value: int
    calls: list[int] = field(default_factory=list)

    @cached
    def doubled(self) -> int:
        """Twice the value."""
        self.calls.append(self.value)
        return 2 * self.value


def test_computed_once_per_instance_and_kept_in_its_dict() -> None:
    one, two = Counted(3), Counted(5)
    assert (one.doubled, one.doubled, two.doubled) == (6, 6, 10)
    assert one.calls == [3] and two.calls == [5]
    assert one.__dict__["doubled"] == 6  # later reads never reach the descriptor


def test_works_on_a_frozen_dataclass_which_still_refuses_assignment() -> None:
    item = Counted(1)
    assert item.doubled == 2
    with pytest.raises(AttributeError):
        item.value = 4  # type: ignore[misc]


def test_read_on_the_class_gives_the_descriptor_with_the_methods_doc() -> None:
    descriptor = Counted.__dict__["doubled"]
    assert Counted.doubled is descriptor
    assert descriptor.__doc__ == "Twice the value."
    assert descriptor.name == "doubled"


def test_an_error_is_not_kept_and_the_next_read_tries_again() -> None:
    class Flaky:
        tries = 0

        @cached
        def value(self) -> int:
            Flaky.tries += 1
            if Flaky.tries == 1:
                raise ValueError("first time")
            return 7

    item = Flaky()
    with pytest.raises(ValueError):
        _ = item.value
    assert item.value == 7 and Flaky.tries == 2
