"""The running stack, started once per test session: real action server, Rasa server, web and worker."""
from __future__ import annotations

from typing import Iterator

import pytest

from bot.runtime.stack import Stack, free_port


@pytest.fixture(scope="session")
def sesame_stack(trained_model, tmp_path_factory) -> Iterator[Stack]:
    """Sésame as `make run` starts it, on free ports, with its own SQLite files."""
    stack = Stack(
        model=trained_model,
        var_dir=tmp_path_factory.mktemp("sesame-var"),
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
    )
    stack.start()
    yield stack
    stack.stop()
