"""Channel fixtures shared by every test of tests/channels."""
from __future__ import annotations

import pytest

from bot.settings import reset_bot_settings_cache


@pytest.fixture(autouse=True)
def fresh_bot_settings():
    """bot/settings.py reads the environment once: a test that changes it must not leak into the next."""
    reset_bot_settings_cache()
    yield
    reset_bot_settings_cache()
