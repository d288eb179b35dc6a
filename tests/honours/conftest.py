"""Fixtures of the honours tests."""

import pytest

from recognition.accounts.models import Role


@pytest.fixture
def secretariat(login_as):
    """A client logged in as a secretariat officer (`secretariat.user` is the officer)."""
    return login_as(Role.secretariat)
