"""`make eval`: evaluate the NLU on the held-out test set and compare pipeline variants.

Each variant of config.yml's pipeline is trained (NLU only) on data/nlu and tested on
tests/nlu, which is never used for training. The fallback threshold is then chosen
from the confidences of the variant without FallbackClassifier: how many test
messages would be sent to the fallback, and how accurate the accepted ones are.
Results: reports/nlu-comparison.json (docs/nlu-evaluation.md discusses them).
"""
from __future__ import annotations

import argparse
import copy
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bot.runtime.model import ROOT

RASA = str(Path(sys.executable).with_name("rasa"))


def variants(base: dict) -> dict[str, list[dict]]:
    """Pipelines to compare, derived from config.yml (without the FallbackClassifier)."""
    chosen = [c for c in base["pipeline"] if c["name"] != "FallbackClassifier"]
    with_spacy = [
        {"name": "SpacyNLP", "model": "fr_core_news_md", "case_sensitive": False},
        {"name": "SpacyTokenizer"},
        {"name": "SpacyFeaturizer", "pooling": "mean"},
    ] + [c for c in chosen if c["name"] != "WhitespaceTokenizer"]
    # The same, but the counts read each word as written: SpacyTokenizer hands the count
    # featurizers spaCy's lemmas by default, which changes more than the vectors alone.
    with_spacy_no_lemma = [dict(c, use_lemma=False) if c["name"] == "CountVectorsFeaturizer" else c
                           for c in with_spacy]
    no_char = [c for c in chosen if c.get("analyzer") != "char_wb"]
    fewer_epochs = [dict(c, epochs=40) if c["name"] == "DIETClassifier" else c for c in chosen]
    return {
        "chosen (char n-grams, no spaCy vectors)": chosen,
        "with spaCy vectors": with_spacy,
        "with spaCy vectors, words as written": with_spacy_no_lemma,
        "without char n-grams": no_char,
        "DIET 40 epochs": fewer_epochs,
    }


def snapshot(target: Path) -> tuple[Path, Path]:
    """Copy the training and test data once, so every variant sees exactly the same data."""
    train, test = target / "train", target / "test"
    shutil.copytree(ROOT / "data" / "nlu", train)
    shutil.copytree(ROOT / "tests" / "nlu", test)
    return train, test


def evaluate(pipeline: list[dict], work: Path, train: Path, test: Path) -> dict:
    """Train an NLU-only model for ``pipeline`` and test it on the held-out set."""
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    config = {k: v for k, v in config.items() if k != "policies"} | {"pipeline": pipeline, "policies": []}
    config_path = work / "config.yml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True))
    start = time.perf_counter()
    subprocess.run([RASA, "train", "nlu", "--config", str(config_path), "--nlu", str(train),
                    "--out", str(work), "--fixed-model-name", "nlu"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    train_s = time.perf_counter() - start
    out = work / "results"
    subprocess.run([RASA, "test", "nlu", "--model", str(work / "nlu.tar.gz"), "--nlu", str(test),
                    "--out", str(out), "--successes", "--no-plot"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    report = json.loads((out / "intent_report.json").read_text())
    predictions = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = out / name
        if path.exists():
            for item in json.loads(path.read_text()):
                predictions.append((item["intent"], item["intent_prediction"]["name"],
                                    item["intent_prediction"]["confidence"]))
    per_intent = {
        name: round(scores["f1-score"], 3)
        for name, scores in report.items()
        if isinstance(scores, dict) and "support" in scores and not name.endswith(" avg")
    }
    return {
        "macro_f1": round(report["macro avg"]["f1-score"], 4),
        "per_intent_f1": per_intent,
        "accuracy": round(report.get("accuracy", 0.0), 4),
        "train_s": round(train_s, 1),
        "threshold_sweep": sweep(predictions),
    }


def sweep(predictions: list[tuple[str, str, float]]) -> list[dict]:
    """For each threshold: share of messages sent to fallback, accuracy of the others."""
    rows = []
    for threshold in (0.3, 0.4, 0.45, 0.5, 0.6, 0.7):
        kept = [(gold, pred) for gold, pred, conf in predictions if conf >= threshold]
        correct = sum(gold == pred for gold, pred in kept)
        rows.append({
            "threshold": threshold,
            "to_fallback": round(1 - len(kept) / max(1, len(predictions)), 3),
            "accuracy_of_accepted": round(correct / max(1, len(kept)), 3),
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="evaluate only the variant whose name starts with this")
    args = parser.parse_args()
    base = yaml.safe_load((ROOT / "config.yml").read_text())
    results = {}
    with tempfile.TemporaryDirectory() as data_dir:
        train, test = snapshot(Path(data_dir))
        for name, pipeline in variants(base).items():
            if args.only and not name.startswith(args.only):
                continue
            print(f"Evaluating: {name}…", flush=True)
            with tempfile.TemporaryDirectory() as work:
                results[name] = evaluate(copy.deepcopy(pipeline), Path(work), train, test)
            print(json.dumps(results[name], indent=2), flush=True)
    out = ROOT / "reports" / "nlu-comparison.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"Written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
