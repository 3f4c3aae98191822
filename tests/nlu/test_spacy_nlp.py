"""spaCy loaded as tokenizer and vectors only gives the NLU exactly what Rasa's loader gives it.

The comparison is with `fr_core_news_md` loaded the way Rasa's own `SpacyNLP` loads it (every
pipe but the parser): the tokens and word vectors must be identical, the pipes gone.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
import yaml
from rasa.nlu.model import InvalidModelError
from rasa.nlu.utils.spacy_utils import SpacyNLP as RasaSpacyNLP

from bot.nlu.spacy_nlp import SpacyVectorsNLP
from bot.nlu.vector_keys import SortedKeyRows
from tools.model import ROOT

# As residents write: typos, no accents, SMS spelling, apostrophes, numbers.
MESSAGES = [
    "bonjour jai besoin d'aide pour ma caf svp",
    "ma CAF ma coupé le RSA jsp quoi faire",
    "je dors dehors ce soir, ou aller ???",
    "rdv conseillere numerique mardi 14h a chambery",
    "c quoi la mutuelle communale",
    "Je voudrais parler à quelqu'un s'il vous plaît",
]


@pytest.fixture(scope="module")
def light():
    return SpacyVectorsNLP.load_model("fr_core_news_md")


@pytest.fixture(scope="module")
def as_rasa_loads_it():
    return RasaSpacyNLP.load_model("fr_core_news_md")


def test_no_neural_pipe_runs_on_a_message(light, as_rasa_loads_it) -> None:
    assert light.model.pipe_names == []
    assert "tok2vec" in as_rasa_loads_it.model.pipe_names  # what the light loader spares


@pytest.mark.parametrize("text", MESSAGES)
def test_same_tokens_and_vectors_as_rasas_loader(light, as_rasa_loads_it, text) -> None:
    fast, full = light.model(text.lower()), as_rasa_loads_it.model(text.lower())
    assert [t.text for t in fast] == [t.text for t in full]
    assert [t.idx for t in fast] == [t.idx for t in full]
    for a, b in zip(fast, full):
        assert a.has_vector == b.has_vector
        assert np.array_equal(a.vector, b.vector), a.text
    assert np.array_equal(fast.vector, full.vector)


def nlu_texts() -> list[str]:
    """Every example of the training data and of the held-out test set, annotations removed."""
    texts = []
    for path in sorted([*(ROOT / "data" / "nlu").glob("*.yml"), *(ROOT / "tests" / "nlu").glob("*.yml")]):
        for item in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            for line in (item.get("examples") or "").splitlines():
                if line.startswith("- "):
                    texts.append(ANNOTATION.sub(lambda m: m.group(1) or m.group(2), line[2:].strip()).lower())
    return texts


ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def test_same_tokens_and_vectors_on_every_nlu_message(light, as_rasa_loads_it) -> None:
    """Without spaCy's string table and with the compact vector map, nothing the NLU reads changes."""
    texts = nlu_texts()
    assert len(texts) > 2000
    for fast, full in zip(light.model.pipe(texts), as_rasa_loads_it.model.pipe(texts)):
        assert [(t.text, t.idx, t.norm_, t.has_vector) for t in fast] == \
               [(t.text, t.idx, t.norm_, t.has_vector) for t in full], fast.text
        assert np.array_equal(np.array([t.vector for t in fast]), np.array([t.vector for t in full])), fast.text


def test_the_compact_vector_map_has_spacys_keys_and_rows(light) -> None:
    import spacy
    from spacy.vectors import Vectors

    vocab_dir = next(spacy.util.get_package_path("fr_core_news_md").glob("fr_core_news_md-*/vocab"))
    on_disk = Vectors().from_disk(vocab_dir)
    compact = light.model.vocab.vectors.key2row
    assert isinstance(compact, SortedKeyRows)
    assert len(compact) == len(on_disk.key2row) == 500_000
    assert dict(compact) == on_disk.key2row
    assert np.array_equal(light.model.vocab.vectors.data, on_disk.data)


def test_documents_deep_copy_and_pickle_with_their_vectors(light) -> None:
    """`rasa test nlu` deep-copies messages, spaCy documents (and so the vocabulary) included."""
    import copy
    import pickle

    doc = light.model("je dors dehors ce soir")
    for twin in (copy.deepcopy(doc), pickle.loads(pickle.dumps(doc))):
        assert [t.text for t in twin] == [t.text for t in doc]
        assert np.array_equal(np.array([t.vector for t in twin]), np.array([t.vector for t in doc]))
    assert isinstance(light.model.vocab.vectors.key2row, SortedKeyRows)  # the original stays compact


def test_spacys_string_table_is_not_loaded(light, as_rasa_loads_it) -> None:
    """713,000 strings (about 150 MB of the Rasa process) that no message needs."""
    assert len(as_rasa_loads_it.model.vocab.strings) > 700_000
    assert len(light.model.vocab.strings) < 50_000


def test_words_residents_write_without_accents_have_vectors(light) -> None:
    """The vectors are worth having only if they know residents' spelling."""
    doc = light.model("securite sociale expulse logement chambery rdv svp")
    assert all(token.has_vector for token in doc), [t.text for t in doc if not t.has_vector]


def test_the_vectors_are_loaded_once_per_process(light) -> None:
    """Rasa creates the loader for two graph nodes; the 300-dimension table is shared."""
    assert SpacyVectorsNLP.load_model("fr_core_news_md").model is light.model


def test_fingerprint_keeps_cached_outputs_apart(light, as_rasa_loads_it) -> None:
    """Training outputs cached for the full model (tokens with lemmas) must not be reused."""
    assert light.fingerprint() != as_rasa_loads_it.fingerprint()


def test_a_missing_model_is_named_with_the_fix() -> None:
    with pytest.raises(InvalidModelError, match="make install"):
        SpacyVectorsNLP.load_model("fr_core_news_nonexistent")
    with pytest.raises(InvalidModelError, match="Missing model"):
        SpacyVectorsNLP.load_model("")


def test_config_runs_spacy_tokenizer_and_featurizer_on_this_loader() -> None:
    """The built graph loads spaCy through this class, and the spaCy components read its docs."""
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe
    from rasa.shared.data import TrainingType

    config = yaml.safe_load((ROOT / "config.yml").read_text())
    graph = DefaultV1Recipe().graph_config_for_recipe(config, {}, TrainingType.NLU)
    for schema in (graph.train_schema, graph.predict_schema):
        nodes = schema.nodes
        spacy = {name: node for name, node in nodes.items() if issubclass(node.uses, RasaSpacyNLP)}
        assert {node.uses for node in spacy.values()} == {SpacyVectorsNLP}
        provider = next(name for name, node in spacy.items() if node.fn == "provide")
        runner = next(name for name, node in spacy.items() if node.fn != "provide")
        assert nodes[runner].needs["model"] == provider
        tokenizer = next(node for node in nodes.values() if node.uses.__name__ == "SpacyTokenizer")
        assert runner in tokenizer.needs.values()


def test_rasas_own_spacy_nlp_is_left_registered() -> None:
    """Naming "SpacyNLP" in a config still means Rasa's loader, pipes and lemmas included."""
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    assert DefaultV1Recipe._from_registry("SpacyNLP").clazz is RasaSpacyNLP
