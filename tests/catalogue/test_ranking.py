"""Fast paths give exactly what the plain rules give: set-by-set ranking, typo fixing."""
from __future__ import annotations

import difflib
import random
from datetime import datetime

import pytest

from actions.catalogue.bench import synthetic_rows
from actions.catalogue.conversation import build_need
from actions.catalogue.importer import import_records
from actions.catalogue.index import Candidate, build_index, catalogue_index
from actions.catalogue.needs import SNAP_CUTOFF, Need, _snap, get_lexicon
from actions.catalogue.ranking import matching, rank, score
from actions.common.db import session_scope

WHEN = (datetime(2026, 11, 24, 10, 0), datetime(2026, 11, 24, 12, 30), datetime(2026, 12, 25, 10, 0))
PHRASES = (
    "j'ai plus rien a manger", "manger au biollay ouvert maintenant", "manger samedi gratuit",
    "ma mere a besoin d'aide samedi", "logement gratuit aux hauts", "epicerie solidaire",
    "france service c ou", "service test numero", "personnes agees", "handicap transport dimanche",
    "numerique gratuit ouvert", "aide pour mon dossier caf pres des hauts", "zzzz qwerty",
)
FILTERS = ({}, {"thematique": "sante"}, {"public": "seniors"}, {"quartier": "biollay"}, {"jour": "samedi"})


def _varied_rows() -> list:
    """Synthetic services with every case the rules treat apart: closures, statuts, odd names."""
    rows = synthetic_rows(300, seed=11)
    rng = random.Random(5)
    for _src, _line, rec in rows:
        if not rec["id"].startswith("service-"):
            continue
        roll = rng.random()
        if roll < 0.1:
            rec["x_fermetures"] = [{"debut": "2026-11-20", "fin": "2026-11-30", "motif": "travaux"}]
        elif roll < 0.2:
            rec["x_statut"] = rng.choice(["projet", "a-verifier", "termine"])
        elif roll < 0.3:
            rec["x_quartiers"] = ["biollay"]
        elif roll < 0.4:
            rec["nom"] = f"Épicerie-solidaire (l'aide) {rec['id']}"
        elif roll < 0.5:
            rec["horaires_accueil"] = "Mo-Sa 08:00-20:00"
    return rows


def reference(index, need: Need, when: datetime) -> list[tuple[str, float, bool | None]]:
    """The rules applied one service at a time, in the documented order."""
    scored = [s for s in (score(index.candidates[i], need, when) for i in matching(index, need))
              if s is not None and s.score > 0]
    scored.sort(key=lambda s: (-s.score, s.candidate.nom, s.candidate.source, s.candidate.id))
    return [(s.candidate.id, s.score, s.open_state) for s in scored]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    from actions.catalogue.seed import load_seed
    from actions.common.db import make_engine
    from actions.common.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('ranking') / 'app.db'}"
    upgrade(url)
    engine = make_engine(url)
    load_seed(engine)
    import_records(_varied_rows(), engine=engine)
    with session_scope(engine) as session:
        yield catalogue_index(session, engine)
    engine.dispose()


@pytest.mark.parametrize("phrase", PHRASES)
def test_set_ranking_equals_the_rules_one_by_one(index, phrase):
    for filters in FILTERS:
        need = build_need(phrase, filters)
        for when in WHEN:
            expected = reference(index, need, when)
            page, total = rank(index, need, when, limit=len(index.candidates))
            assert [(s.candidate.id, s.score, s.open_state) for s in page] == expected
            assert total == len(expected)
            second, _ = rank(index, need, when, limit=3, offset=3)
            assert [s.candidate.id for s in second] == [e[0] for e in expected[3:6]]


def test_words_the_prefix_tables_cannot_hold_are_still_compared():
    """Short or spaced keywords (never produced by understand(), possible in code) fall back."""
    candidates = [
        Candidate(source="t", id=f"s{i}", nom=nom, frais=None, statut="actif", texte=texte,
                  thematiques=frozenset(), categories=frozenset(), publics=frozenset(),
                  quartiers=(), hours=None, closures=())
        for i, (nom, texte) in enumerate([
            ("Bus solidaire", " bus solidaire transport "),
            ("Aide au transport", " aide au transport bus "),
            ("Atelier", " atelier de velo "),
        ])
    ]
    small = build_index(candidates)
    for keywords in (("transport", "bus"), ("atelier", "de velo"), ("transport", "au"), ("bus",)):
        need = Need(keywords=keywords)
        page, _ = rank(small, need, WHEN[0], limit=10)
        assert [(s.candidate.id, s.score, s.open_state) for s in page] == reference(small, need, WHEN[0])
    page, _ = rank(small, Need(keywords=("transport", "bus")), WHEN[0], limit=10)
    # " bus" starts a word of s0's name (+2) and of s1's text (+1); ties go by name
    assert [(s.candidate.id, s.score) for s in page] == [("s1", 3.0), ("s0", 3.0)]


def test_typo_fixing_picks_what_difflib_picks_over_the_whole_vocabulary():
    vocabulary = get_lexicon().vocabulary
    rng = random.Random(3)
    words = sorted(vocabulary)
    for _ in range(1500):
        letters = list(rng.choice(words))
        at = rng.randrange(len(letters))
        edit = rng.choice(("drop", "add", "swap"))
        if edit == "drop":
            del letters[at]
        elif edit == "add":
            letters.insert(at, rng.choice("abcdeilmnorstu"))
        else:
            letters[at] = rng.choice("abcdeilmnorstu")
        typo = "".join(letters)
        if len(typo) < 5 or typo in vocabulary:
            continue
        expected = difflib.get_close_matches(typo, vocabulary, n=1, cutoff=SNAP_CUTOFF)
        assert _snap(typo) == (expected[0] if expected else typo), typo
