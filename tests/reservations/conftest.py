"""Fixtures for the booking tests. A module that needs another procedure defines its own
``procedure`` fixture, which takes precedence over this one."""

import pytest

from tests.reservations.factories import procedure_with


@pytest.fixture
def procedure():
    """A procedure with two document rules (a photo, an identity document)."""
    return procedure_with("顔写真（6か月以内に撮影、縦4cm×横3cm）", "本人確認書類")
