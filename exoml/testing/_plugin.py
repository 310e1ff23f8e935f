"""exoml's pytest plugin, registered through the ``pytest11`` entry point.

It provides the ``fake_legs_api`` fixture: a running :class:`~exoml.testing.FakeLegsAPI`
per test, stopped afterwards. The fake plays calls too: a leg created through it rings
and is answered, actions emit their events, and the test plays the far end with
``api.press(leg_sid, "1")`` or ``api.hang_up(leg_sid)`` (see the class). Loading the
plugin imports nothing heavy: the server module is imported when a test first asks for
the fixture.

Example test::

    from exoml import LegsClient

    def test_greets(fake_legs_api):
        api = fake_legs_api
        with LegsClient(api.account_sid, api.api_key, api.api_token, base_url=api.url) as c:
            c.send("L1", "<Flow><Say>Hello</Say></Flow>")
        assert [a.leg_sid for a in api.actions] == ["L1"]

    def test_the_menu_hears_a_1(fake_legs_api):
        api = fake_legs_api
        with LegsClient(api.account_sid, api.api_key, api.api_token, base_url=api.url) as c:
            leg = c.create_leg("+919876543210", "08047112233", "grpc://app.example.com")
            c.send(leg.leg_sid, "<Flow><Gather numDigits='1'/></Flow>")
            api.press(leg.leg_sid, "1")
        assert api.events(leg.leg_sid)[-1]["event_data"]["data"]["digits"] == "1"
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .fake_api import FakeLegsAPI


@pytest.fixture
def fake_legs_api() -> Iterator[FakeLegsAPI]:
    """A :class:`~exoml.testing.FakeLegsAPI` on 127.0.0.1, accepting any leg by default."""
    from .fake_api import FakeLegsAPI

    with FakeLegsAPI() as api:
        yield api
