"""`make bench` compares Sésame with the issue's baseline probe, rebuilt from Rasa's defaults."""
from __future__ import annotations

from importlib.resources import files

import yaml

from tools.baseline import PROBE_DIR, probe_inputs, probe_model_path
from tools.bench import compare


def test_the_probe_is_rasas_default_configuration() -> None:
    """Only the language and the assistant's id differ from what `rasa init` would train."""
    ours = yaml.safe_load((PROBE_DIR / "config.yml").read_text())
    rasas = yaml.safe_load(files("rasa.engine.recipes").joinpath("config_files/default_config.yml").read_text())
    for key in ("language", "assistant_id"):
        ours.pop(key), rasas.pop(key)
    assert ours == rasas


def test_the_probe_has_three_intents_each_answered_by_a_rule() -> None:
    domain = yaml.safe_load((PROBE_DIR / "domain.yml").read_text())
    rules = yaml.safe_load((PROBE_DIR / "data" / "rules.yml").read_text())["rules"]
    nlu = yaml.safe_load((PROBE_DIR / "data" / "nlu.yml").read_text())["nlu"]
    assert len(domain["intents"]) == 3
    assert {rule["steps"][0]["intent"] for rule in rules} == set(domain["intents"])
    assert {item["intent"] for item in nlu} == set(domain["intents"])


def test_the_probe_model_is_retrained_when_its_files_change(tmp_path, monkeypatch) -> None:
    before = probe_model_path()
    copy = tmp_path / "probe"
    for path in probe_inputs():
        target = copy / path.relative_to(PROBE_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text())
    monkeypatch.setattr("tools.baseline.PROBE_DIR", copy)
    assert probe_model_path() == before
    (copy / "data" / "nlu.yml").write_text((copy / "data" / "nlu.yml").read_text() + "\n")
    assert probe_model_path() != before


def report(p50: float, throughput: float, rss: int) -> dict:
    return {"rest_1_conversation": {"p50_ms": p50, "p95_ms": p50 * 2, "throughput_turns_per_s": throughput},
            "rest_16_conversations": {"p50_ms": p50 * 10, "throughput_turns_per_s": throughput},
            "cold_start_to_first_answer_s": 20.0, "rasa_rss_mb": rss}


def test_compare_counts_the_rounds_sesame_held_its_own() -> None:
    rounds = [
        {"sesame": report(20.0, 50.0, 900), "probe": report(25.0, 40.0, 950)},
        {"sesame": report(30.0, 35.0, 900), "probe": report(28.0, 36.0, 940)},
        {"sesame": report(22.0, 45.0, 910), "probe": report(22.0, 45.0, 900)},
    ]
    summary = compare(rounds)
    assert summary["p50_ms_1"] == {"sesame": 22.0, "probe": 25.0, "sesame_as_good_in_rounds": "2/3"}
    assert summary["turns_per_s_1"] == {"sesame": 45.0, "probe": 40.0, "sesame_as_good_in_rounds": "2/3"}
    assert summary["rasa_rss_mb"] == {"sesame": 900, "probe": 940, "sesame_as_good_in_rounds": "2/3"}
    assert summary["cold_start_s"]["sesame_as_good_in_rounds"] == "3/3"  # a tie is not worse
