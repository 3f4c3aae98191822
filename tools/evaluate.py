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

from tools.model import ROOT

RASA = str(Path(sys.executable).with_name("rasa"))


SPACY_LOADER = "bot.nlu.spacy_nlp.SpacyVectorsNLP"
SPACY_VECTORS = [
    {"name": SPACY_LOADER, "model": "fr_core_news_md", "case_sensitive": False},
    {"name": "SpacyTokenizer"},
    {"name": "SpacyFeaturizer", "pooling": "mean"},
]
SPACY_NAMES = {c["name"] for c in SPACY_VECTORS} | {"SpacyNLP"}


def variants(base: dict, seed: int | None = None) -> dict[str, list[dict]]:
    """Pipelines to compare, derived from config.yml (without the FallbackClassifier).

    ``seed`` replaces DIET's random seed: a gap between two variants means something only
    when it holds across seeds.
    """
    chosen = [c for c in base["pipeline"] if c["name"] != "FallbackClassifier"]
    if seed is not None:
        chosen = [dict(c, random_seed=seed) if c["name"] == "DIETClassifier" else c for c in chosen]
    rest = [c for c in chosen if c["name"] not in SPACY_NAMES | {"WhitespaceTokenizer"}]
    as_written = [dict(c, use_lemma=False) if c["name"] == "CountVectorsFeaturizer" else c for c in rest]
    without_spacy = [{"name": "WhitespaceTokenizer"}] + [
        {k: v for k, v in c.items() if k != "use_lemma"} for c in rest]
    # spaCy tokenizer and vectors (loaded without pipes), the counts reading words as written.
    with_spacy = SPACY_VECTORS + as_written
    # spaCy as Rasa loads it (every pipe but the parser): SpacyTokenizer then hands the
    # count featurizers spaCy's lemmas, which changes more than the vectors alone.
    with_lemmas = [dict(SPACY_VECTORS[0], name="SpacyNLP")] + SPACY_VECTORS[1:] + [
        dict(c, use_lemma=True) if c["name"] == "CountVectorsFeaturizer" else c for c in rest]
    no_char = [c for c in chosen if c.get("analyzer") != "char_wb"]
    fewer_epochs = [dict(c, epochs=40) if c["name"] == "DIETClassifier" else c for c in chosen]
    uses_spacy = any(c["name"] in SPACY_NAMES for c in chosen)
    return {
        "chosen (config.yml)": chosen,
        "with spaCy vectors" if not uses_spacy else "without spaCy vectors":
            with_spacy if not uses_spacy else without_spacy,
        "with spaCy lemmas, as Rasa loads spaCy": with_lemmas,
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
    parser.add_argument("--only", help="evaluate only the variants whose names start with these"
                        " (separated by |)")
    parser.add_argument("--seeds", default="", help="comma-separated DIET seeds (default: config.yml's)")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s] or [None]
    base = yaml.safe_load((ROOT / "config.yml").read_text())
    results = {}
    with tempfile.TemporaryDirectory() as data_dir:
        train, test = snapshot(Path(data_dir))
        for seed in seeds:
            for name, pipeline in variants(base, seed).items():
                if args.only and not any(name.startswith(o) for o in args.only.split("|")):
                    continue
                key = name if seed is None else f"{name}, seed {seed}"
                print(f"Evaluating: {key}…", flush=True)
                with tempfile.TemporaryDirectory() as work:
                    results[key] = evaluate(copy.deepcopy(pipeline), Path(work), train, test)
                print(json.dumps(results[key], indent=2), flush=True)
    out = ROOT / "reports" / "nlu-comparison.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"Written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
