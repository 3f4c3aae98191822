"""Plain-language (FALC) checks for every text a resident reads.

Residents of the CCAS are often tired, worried or not at ease with written
French. These rules turn the "Facile à lire et à comprendre" guidelines into
something a test can enforce:

* sentences of at most 15 words on average, none over 25;
* no acronym left unexplained (expanded in the same text, or listed in the
  glossary Sésame explains on demand);
* digits rather than number words, no percentages;
* active voice: a passive with its agent ("est décidé par la CAF") always has
  an active twin ("la CAF décide"), so it fails; an agentless passive is only
  a warning;
* the Kandel & Moles readability score, the French adaptation of Flesch
  (207 - 1.015 x words per sentence - 73.6 x syllables per word), computed
  by textstat with ``set_lang("fr")``: at least 50 for each text.

The module is plain Python (no Rasa) so tests, the guide loader and the
conseiller console can all reuse it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import mean
from typing import Iterable

import textstat

MAX_SENTENCE_WORDS = 25
MAX_AVERAGE_WORDS = 15.0
MIN_READABILITY = 50.0
MIN_MEAN_READABILITY = 75.0

# Acronyms every resident knows; they need no explanation.
COMMON_ACRONYMS = frozenset({"SMS", "OK", "PDF", "TV", "WC", "RDV"})

NUMBER_WORDS = frozenset(
    {
        "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "dix", "onze",
        "douze", "treize", "quatorze", "quinze", "seize", "vingt", "vingts",
        "trente", "quarante", "cinquante", "soixante", "septante", "octante",
        "nonante", "cent", "cents", "mille", "million", "millions", "milliard",
        "milliards",
    }
)
# "neuf" is left out on purpose: "un logement neuf" is not a number.

# "C'est gratuit", "je suis désolé": a state, not a passive.
STATE_ADJECTIVES = frozenset(
    {
        "gratuit", "gratuite", "gratuits", "gratuites", "désolé", "désolée", "fatigué",
        "fatiguée", "perdu", "perdue", "inquiet", "ouvert", "ouverte", "fermé", "fermée",
    }
)

_ETRE = (
    r"(?:est|sont|sera|seront|serez|sommes|êtes|suis|es|était|étaient|"
    r"a été|ont été|avez été|sera|soit|soient|être|été)"
)
_PARTICIPLE = r"[a-zà-ÿ]+(?:é|ée|és|ées|is|ise|ises|it|ite|its|ites|u|ue|us|ues|ert|erte|erts|ertes)"
_ADVERBS = r"(?:\s+(?:pas|plus|bien|déjà|souvent|toujours|jamais|aussi|ensuite))*"
PASSIVE_WITH_AGENT = re.compile(
    rf"\b{_ETRE}{_ADVERBS}\s+{_PARTICIPLE}\b(?:\s+\S+){{0,3}}?\s+par\s+(?!jour|mois|an|semaine|personne|téléphone|mail|courrier|internet|sms)",
    re.IGNORECASE,
)
PASSIVE_NO_AGENT = re.compile(rf"\b{_ETRE}{_ADVERBS}\s+{_PARTICIPLE}\b", re.IGNORECASE)

_LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-•*–])\s+", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*\}")
_PHONE = re.compile(r"\b0\d(?:[ .]?\d{2}){4}\b")
_URL = re.compile(r"https?://\S+|www\.\S+|\b[\w.-]+\.(?:fr|com|org|gouv\.fr)\S*")
_TIME = re.compile(r"\b(\d{1,2})\s?h\s?(\d{2})?\b")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_WORD = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿœŒ]+(?:['’\-][0-9A-Za-zÀ-ÖØ-öø-ÿœŒ]+)*")
_ACRONYM = re.compile(r"\b[A-ZÉÈ][A-ZÉÈ0-9]{1,6}\b")
_PERCENT = re.compile(r"%|\bpour\s?cents?\b|\bpourcentage", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One broken rule, worded so a writer knows what to change."""

    rule: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.detail}"


@dataclass
class TextReport:
    """Result of checking one resident-facing text."""

    text: str
    score: float
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self, origin: str = "") -> str:
        """A failure message that quotes the text and every broken rule."""
        head = f"{origin}: " if origin else ""
        rules = "\n  ".join(str(p) for p in self.problems)
        return f"{head}{self.text!r}\n  {rules}"


def normalise(text: str) -> str:
    """Prepare a text for counting: fill placeholders, drop list markers, URLs and phone spacing.

    A phone number "04 79 60 23 00" is one thing to read, not five words,
    and a template variable stands for a short name.
    """
    text = _PLACEHOLDER.sub("Paul", text)
    text = _URL.sub("site", text)
    text = _PHONE.sub("0479000000", text)
    text = _LIST_MARKER.sub("", text)
    return text.replace("’", "'").strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of a text; each line of a list counts as its own sentence."""
    parts = _SENTENCE_END.split(normalise(text))
    return [p.strip() for p in parts if words(p)]


def words(sentence: str) -> list[str]:
    """Words as a reader sees them: "l'aide" and "rendez-vous" count once."""
    return _WORD.findall(sentence)


def readability(text: str) -> float:
    """Kandel & Moles score of a text (higher is easier; 100 is very easy)."""
    textstat.set_lang("fr")
    return float(textstat.flesch_reading_ease(normalise(text)))


def acronyms(text: str) -> set[str]:
    """Upper-case words of 2 to 7 letters that look like acronyms."""
    found = set()
    for token in _ACRONYM.findall(text):
        if token.isdigit() or any(c.isdigit() for c in token[:1]):
            continue
        if sum(c.isalpha() for c in token) < 2:
            continue
        if sum(c.isdigit() for c in token) > 1:  # a code like K7M4QX, not an acronym
            continue
        found.add(token)
    return found


def is_expanded(acronym: str, text: str) -> bool:
    """True when the text spells the acronym out: "CAF (Caisse…)" or "(…) (CAF)"."""
    escaped = re.escape(acronym)
    return bool(
        re.search(rf"\b{escaped}\s*\(", text) or re.search(rf"\(\s*{escaped}\s*\)", text)
    )


def check_text(text: str, known_acronyms: Iterable[str] = ()) -> TextReport:
    """Check one text against every FALC rule and the readability floor."""
    known = set(known_acronyms) | COMMON_ACRONYMS
    sentences = split_sentences(text)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    lengths = [len(words(s)) for s in sentences]
    for sentence, length in zip(sentences, lengths):
        if length > MAX_SENTENCE_WORDS:
            problems.append(
                Problem("sentence-too-long", f"{length} words (max {MAX_SENTENCE_WORDS}): {sentence!r}")
            )
    if lengths and mean(lengths) > MAX_AVERAGE_WORDS:
        problems.append(
            Problem("average-too-long", f"{mean(lengths):.1f} words per sentence (max {MAX_AVERAGE_WORDS:g})")
        )
    for acronym in sorted(acronyms(text)):
        if acronym not in known and not is_expanded(acronym, text):
            problems.append(
                Problem("unexplained-acronym", f"{acronym}: spell it out in brackets or add it to the glossary")
            )
    lowered = [w.lower() for w in words(normalise(text))]
    number_words = sorted({w for w in lowered for part in w.split("-") if part in NUMBER_WORDS})
    if number_words:
        problems.append(Problem("number-in-words", f"write digits instead of: {', '.join(number_words)}"))
    if _PERCENT.search(text):
        problems.append(Problem("percentage", "say it with words a resident pictures, not a percentage"))
    for match in PASSIVE_WITH_AGENT.finditer(normalise(text)):
        problems.append(Problem("passive-voice", f"say who acts first: {match.group(0)!r}"))
    if not any(p.rule == "passive-voice" for p in problems):
        for match in PASSIVE_NO_AGENT.finditer(normalise(text)):
            participle = match.group(0).split()[-1].lower()
            if len(participle) >= 5 and participle not in STATE_ADJECTIVES:
                warnings.append(Problem("passive-voice?", f"maybe passive: {match.group(0)!r}"))
    score = readability(text)
    if score < MIN_READABILITY:
        problems.append(
            Problem("hard-to-read", f"Kandel-Moles {score:.0f} (min {MIN_READABILITY:g}): shorter words and sentences")
        )
    return TextReport(text=text, score=score, problems=problems, warnings=warnings)


def check_texts(texts: Iterable[str], known_acronyms: Iterable[str] = ()) -> list[TextReport]:
    """Check many texts with the same glossary."""
    known = list(known_acronyms)
    return [check_text(t, known) for t in texts]


def mean_readability(reports: Iterable[TextReport]) -> float:
    """Mean Kandel & Moles score over a body of texts (target: 75 or more)."""
    scores = [r.score for r in reports]
    return mean(scores) if scores else 0.0
