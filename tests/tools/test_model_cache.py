"""The model is retrained only when config, domain or training data change."""
from __future__ import annotations

from pathlib import Path

import pytest

from tools import model


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for folder in ("data/nlu", "data/rules", "data/stories", "data/catalogue"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "config.yml").write_text("language: fr\n")
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain/core.yml").write_text("intents: [greet]\n")
    (tmp_path / "data/nlu/core.yml").write_text("nlu: []\n")
    monkeypatch.setattr(model, "ROOT", tmp_path)
    monkeypatch.setattr(model, "TRAINING_DATA", [tmp_path / "data" / d for d in ("nlu", "rules", "stories")])
    monkeypatch.setattr(model, "MODELS_DIR", tmp_path / "models")
    return tmp_path


def test_same_inputs_give_the_same_model_name(project: Path) -> None:
    assert model.model_path() == model.model_path()


@pytest.mark.parametrize("changed", ["config.yml", "domain/core.yml", "data/nlu/core.yml"])
def test_editing_a_training_input_changes_the_model_name(project: Path, changed: str) -> None:
    before = model.model_path()
    (project / changed).write_text((project / changed).read_text() + "# edit\n")
    assert model.model_path() != before


def test_content_outside_training_data_does_not_retrain(project: Path) -> None:
    before = model.model_path()
    (project / "data/catalogue/services.yml").write_text("services: []\n")
    (project / "README.md").write_text("docs\n")
    assert model.model_path() == before


def test_an_existing_model_is_reused_without_training(project: Path) -> None:
    target = model.model_path()
    target.parent.mkdir()
    target.write_bytes(b"model")
    assert model.ensure_model() == target
