"""spaCy's tokenizer and word vectors, without spaCy's neural pipes.

Rasa's own `SpacyNLP` loads `fr_core_news_md` with every pipe but the parser and runs them
all on each message (tok2vec, morphologizer, attribute ruler, lemmatizer, NER): about 6 ms a
message on this machine, while `SpacyTokenizer` and `SpacyFeaturizer` only read the tokens
and the static word vectors. Those come from the rule-based tokenizer and the vocabulary, not
from any pipe, so this loader excludes every pipe: the same tokens and vectors for about
0.01 ms a message, a smaller process and a faster start. Lemmas, parts of speech and named
entities are therefore not set; config.yml keeps `use_lemma: false` on the count featurizers.

Two more savings, for the memory of the Rasa process (measured 2026-12-03, see
docs/benchmarks.md): spaCy's table of 713,000 known strings is not read (every string a
message needs is added as the tokenizer meets it, as spaCy does for any new word: the same
tokens, lemmas, norms and vectors on all the NLU data), and the map from written forms to
vectors is kept compact (bot/nlu/vector_keys.py). Together, about 200 MB less and half a
second less to load.

It subclasses Rasa's `SpacyNLP`, which `SpacyTokenizer` and `SpacyFeaturizer` require, under its
own name, so Rasa's registered `SpacyNLP` stays what it is for anyone who names it.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import functools
import gc
from typing import Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.model import InvalidModelError
from rasa.nlu.utils import spacy_utils

from bot.nlu.vector_keys import compact_vector_keys

# Said in the fingerprint, so cached training outputs of the full model are never reused.
LOADED_WITHOUT_PIPES = "tokenizer and vectors only"


@dataclasses.dataclass
class SpacyVectorsModel(spacy_utils.SpacyModel):
    """The loaded model; its fingerprint says it has no pipes.

    Rasa caches the outputs of training nodes by the fingerprints of their inputs: a
    distinct fingerprint keeps tokens without lemmas apart from the full model's.
    """

    def fingerprint(self) -> Text:
        return f"{self.model_name} ({LOADED_WITHOUT_PIPES})"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SpacyVectorsNLP",
)
class SpacyVectorsNLP(spacy_utils.SpacyNLP):
    """Provides `fr_core_news_md` as a tokenizer and a table of word vectors."""

    @staticmethod
    @functools.lru_cache(maxsize=2)
    def load_model(spacy_model_name: Text) -> SpacyVectorsModel:
        """Load the model with every pipe excluded; same checks and errors as Rasa's loader.

        Rasa builds this component twice per graph (the node that provides the model and
        the node that runs it): the cache loads the vectors once per process, not twice.
        Nothing downstream changes the model, so sharing it is safe.
        """
        import spacy

        if not spacy_model_name:
            raise InvalidModelError(
                "Missing model for `SpacyVectorsNLP` in config.yml (for example fr_core_news_md).")
        if not spacy.util.is_package(spacy_model_name):
            raise InvalidModelError(
                f"The spaCy model {spacy_model_name} is not installed: run `make install`.")
        meta = spacy.util.get_model_meta(spacy.util.get_package_path(spacy_model_name))
        required = meta.get("spacy_version", "")
        if not spacy.util.is_compatible_version(spacy.about.__version__, required):
            raise InvalidModelError(
                f"The spaCy model {spacy_model_name} needs spaCy {required}, "
                f"not {spacy.about.__version__}.")
        language = spacy.load(spacy_model_name, exclude=[*meta.get("pipeline", []), "strings"])
        compact_vector_keys(language.vocab.vectors)
        _give_back_freed_memory()
        return SpacyVectorsModel(model=language, model_name=spacy_model_name)


def _give_back_freed_memory() -> None:
    """Return the heap that reading the vectors left free to the system (glibc only).

    Without it, the Rasa process keeps about 25 MB it no longer uses.
    """
    gc.collect()
    libc_name = ctypes.util.find_library("c")
    if libc_name:
        malloc_trim = getattr(ctypes.CDLL(libc_name), "malloc_trim", None)
        if malloc_trim is not None:
            malloc_trim(0)
