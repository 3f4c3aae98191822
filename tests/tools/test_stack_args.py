"""Rasa's own command-line parser must read the arguments the stack gives it.

A CI run once failed because a random API token began with "-": argparse took it for an
option and `rasa run` exited with code 2 before serving anyone.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tools.stack import Stack


@pytest.mark.parametrize("token", ["-starts-with-a-dash", "--double", "plain_token", "a-b_c"])
def test_rasa_reads_the_token_whatever_its_first_character(token: str, tmp_path: Path) -> None:
    from rasa.__main__ import create_argument_parser

    stack = Stack(model=tmp_path / "model.tar.gz", var_dir=tmp_path, token=token)
    args = create_argument_parser().parse_args(stack.rasa_args(5005))
    assert args.auth_token == token
    assert args.port == 5005
    assert args.enable_api is True
    assert args.interface == "127.0.0.1"


def test_generated_tokens_never_look_like_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SESAME_RASA_TOKEN", raising=False)
    tokens = {Stack(model=tmp_path / "m", var_dir=tmp_path).token for _ in range(500)}
    assert len(tokens) == 500
    assert not any(token.startswith("-") for token in tokens)


def test_rasa_answers_cross_origin_requests_from_the_web_chat_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa's --cors lists the web server's origins (its URL and SESAME_PUBLIC_URL), never "*"."""
    from rasa.__main__ import create_argument_parser

    monkeypatch.delenv("SESAME_ALLOWED_ORIGINS", raising=False)
    monkeypatch.setenv("SESAME_PUBLIC_URL", "https://sesame.chambery.example/chat")
    stack = Stack(model=tmp_path / "model.tar.gz", var_dir=tmp_path, web_port=8123)
    cors = create_argument_parser().parse_args(stack.rasa_args(5005)).cors
    assert "*" not in cors
    assert set(cors) == {"https://sesame.chambery.example", "http://127.0.0.1:8123", "http://localhost:8123",
                         "http://[::1]:8123"}
    monkeypatch.setenv("SESAME_ALLOWED_ORIGINS", "https://www.chambery.fr")
    assert "https://www.chambery.fr" in stack.web_origins()
