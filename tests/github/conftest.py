"""Fixtures: the local GitHub (checked against GitHub's OpenAPI description) and helpers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .builders import TOKEN
from .openapi import OpenAPIValidator
from .server import GitHubServer


@pytest.fixture
def github(validator: OpenAPIValidator) -> Iterator[GitHubServer]:
    """A fresh local GitHub; the test fails if any request broke the description."""
    server = GitHubServer(validator=validator)
    server.add_token(TOKEN, "app")
    server.start()
    try:
        yield server
    finally:
        server.stop()
    assert server.violations == [], "requests GitHub's description rejects"


@pytest.fixture
def sleeps() -> list[float]:
    """A fake ``sleep`` that records instead of waiting."""
    return []
