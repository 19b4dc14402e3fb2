"""Fixtures of the end-to-end tests: the product running as real processes."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.town import Town, running_town


@pytest.fixture
def town(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Town]:
    """A town whose tasks are offered to `request.param` workers at once (default 3)."""
    fanout = getattr(request, "param", 3)
    yield from running_town(tmp_path, {"CONBINI_OFFER_FANOUT": str(fanout)})
