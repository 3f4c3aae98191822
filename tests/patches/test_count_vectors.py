"""bot.patches.count_vectors gives DIET exactly the counts Rasa's featurizer gives it.

Both featurizers of config.yml (words, character n-grams) are trained with Rasa's own
component on the NLU training data, then every training and held-out message is featurized
both ways: same matrices, entry by entry, same dtypes, same shapes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.patches import count_vectors
from tools.model import ROOT


def featurizer_configs() -> list[dict]:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    found = [dict(c) for c in config["pipeline"] if c["name"] == "CountVectorsFeaturizer"]
    assert len(found) == 2  # words and character n-grams
    return found


def messages(paths: list[Path]) -> list[Message]:
    importer = TrainingDataImporter.load_from_dict(training_data_paths=[str(p) for p in paths])
    return [m for m in importer.get_nlu_data().training_examples if m.get(TEXT)]


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[list[CountVectorsFeaturizer], list[Message]]:
    train = messages([ROOT / "data" / "nlu"])
    held_out = messages([ROOT / "tests" / "nlu"])
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokenizer.process(train + held_out)
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    context = ExecutionContext(GraphSchema({}), "count-vectors-test")
    featurizers = []
    for index, config in enumerate(featurizer_configs()):
        config.pop("name")
        featurizer = CountVectorsFeaturizer.create({**CountVectorsFeaturizer.get_default_config(), **config},
                                                   storage, Resource(f"cv{index}"), context)
        from rasa.shared.nlu.training_data.training_data import TrainingData
        featurizer.train(TrainingData(train))
        featurizers.append(featurizer)
    return featurizers, train + held_out


def assert_same(ours, rasas) -> None:
    if rasas is None:
        assert ours is None
        return
    assert type(ours) is type(rasas) is scipy.sparse.coo_matrix and ours.shape == rasas.shape
    for name in ("data", "row", "col"):
        assert getattr(ours, name).dtype == getattr(rasas, name).dtype, name
        assert np.array_equal(getattr(ours, name), getattr(rasas, name)), name


def test_same_counts_as_rasa_on_every_nlu_message(trained) -> None:
    featurizers, every = trained
    assert len(every) > 2000
    compared = 0
    for featurizer in featurizers:
        for message in every:
            tokens = featurizer._get_processed_message_tokens_by_attribute(message, TEXT)
            rasas = count_vectors._rasa_create_features(featurizer, TEXT, [tokens])
            ours = count_vectors._create_features(featurizer, TEXT, [tokens])
            for mine, theirs in zip(ours, rasas):
                assert_same(mine[0], theirs[0])
            compared += 1
    assert compared == 2 * len(every)


def test_words_it_never_saw_and_empty_messages(trained) -> None:
    featurizers, _ = trained
    for featurizer in featurizers:
        for tokens in (["zzqxw", "kkkjjj"], [], ["bonjour", "zzqxw"]):
            rasas = count_vectors._rasa_create_features(featurizer, TEXT, [tokens])
            ours = count_vectors._create_features(featurizer, TEXT, [tokens])
            for mine, theirs in zip(ours, rasas):
                assert_same(mine[0], theirs[0])


def test_an_untrained_featurizer_goes_rasas_way(trained) -> None:
    featurizer = trained[0][0]
    untrained = CountVectorsFeaturizer.__new__(CountVectorsFeaturizer)
    untrained.vectorizers = {}
    assert count_vectors._create_features(untrained, TEXT, [["bonjour"]]) == ([None], [None])
    assert featurizer.vectorizers[TEXT].vocabulary_  # the trained one goes the fast way


def test_install_and_uninstall() -> None:
    count_vectors.install()
    assert CountVectorsFeaturizer._create_features is count_vectors._create_features
    count_vectors.uninstall()
    assert CountVectorsFeaturizer._create_features is count_vectors._rasa_create_features


def test_prepared_vocabulary_lives_on_its_vectorizer_and_follows_changes() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(token_pattern=r"(?u)\b\w+\b").fit(["bonjour caf", "aide logement"])
    ours = count_vectors.counts(vectorizer, ["bonjour", "logement"])
    assert vectorizer._sesame_prepared.vocabulary == {k: int(v) for k, v in vectorizer.vocabulary_.items()}
    assert np.array_equal(ours.toarray(), vectorizer.transform(["bonjour", "logement"]).toarray())
    vectorizer.vocabulary_ = {"rsa": 0}  # a new vocabulary is picked up, not the stale one
    assert count_vectors.counts(vectorizer, ["rsa bonjour"]).toarray().tolist() == [[1]]
