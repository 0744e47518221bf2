"""A property computed on first use and then kept: :func:`functools.cached_property`
without the lock Python 3.11 takes on every first access (3.12 dropped it).

A criterion tree of 10,000 benchmarks is 60,000 files, each read into a
:class:`perf_gate.inputs.parsers.base.Sniff` whose JSON, text and digest are computed on
first use: the lock cost 0.3 s of a 3.8 s parse there. No lock is needed: a value is
computed from the instance's own immutable fields, so two threads racing compute the
same value and either may be kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

_T = TypeVar("_T")


class cached(Generic[_T]):
    """``@cached`` on a method: an attribute computed once per instance, stored in the
    instance's ``__dict__`` (so later reads never reach this descriptor; works on frozen
    dataclasses, as :func:`functools.cached_property` does)."""

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> _T | cached[_T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value
