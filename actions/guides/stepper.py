"""Walk a resident through a guide one short message at a time.

A guide becomes a list of pages: what it is and for whom, the main
conditions, each step, and an ending that names the cost, who decides, and
the next action (a place, a booking, a person). The conversation only keeps
the page index, so "la suite", "répète" and "plus simple" are pure functions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from actions.guides.library import Guide, Term
from actions.common.text import fold

DISCLAIMER = "Sésame donne des informations. Il ne décide pas."
CONTINUE_HINT = "Écrivez « suite » pour continuer."
NEXT_ACTION_TEXT = {
    "place": "Pour la suite, allez voir :",
    "booking": "Je peux vous prendre un rendez-vous avec un conseiller numérique.",
    "human": "Vous pouvez aussi parler à une personne.",
}
SMS_SEGMENT_LIMIT = 2
MAX_PLACES = 2  # more names than this is a list nobody reads on a phone

# GSM 03.38 basic alphabet: text made only of these fits 160 characters per SMS.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€")  # count as 2 characters
_TO_GSM = str.maketrans(
    {"ê": "e", "ë": "e", "â": "a", "î": "i", "ï": "i", "ô": "o", "û": "u", "ç": "c",
     "Ê": "E", "È": "E", "À": "A", "Â": "A", "Î": "I", "Ô": "O", "Û": "U",
     "’": "'", "«": '"', "»": '"', "\u00a0": " ", "–": "-", "—": "-", "…": "..."}
)


@dataclass(frozen=True)
class Page:
    """One message of a guide, and where it sits in the walk."""

    guide_id: str
    index: int
    text: str
    is_last: bool


def gsm_text(text: str) -> str:
    """Replace the few French characters outside the SMS alphabet (ê → e, ç → c, « → ")."""
    converted = text.translate(_TO_GSM).replace("œ", "oe").replace("Œ", "OE")
    return "".join(c if c in GSM_BASIC or c in GSM_EXTENDED else "?" for c in converted)


def sms_segments(text: str) -> int:
    """How many SMS a text costs: 160/153 GSM characters, or 70/67 when any character is not GSM."""
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        length = sum(2 if c in GSM_EXTENDED else 1 for c in text)
        single, multi = 160, 153
    else:
        length = len(text)
        single, multi = 70, 67
    if length <= single:
        return 1
    return math.ceil(length / multi)


def _ending(guide: Guide, place_names: dict[str, str]) -> str:
    named = [place_names[i] for i in guide.where if place_names.get(i)][:MAX_PLACES]
    if guide.next_action == "place" and named:
        action = NEXT_ACTION_TEXT["place"] + "".join(f"\n- {name}" for name in named)
    elif guide.next_action == "place":
        action = NEXT_ACTION_TEXT["human"]
    else:
        action = NEXT_ACTION_TEXT[guide.next_action]
    return f"{guide.cost} {guide.decider} {DISCLAIMER}\n{action}"


def pages(guide: Guide, place_names: dict[str, str] | None = None) -> list[str]:
    """Every message of the guide, in order."""
    place_names = place_names or {}
    total = len(guide.steps)
    intro = f"{guide.title}.\n{guide.summary} {guide.audience}\n{CONTINUE_HINT}"
    conditions = "Les conditions principales :\n" + "\n".join(f"- {c}" for c in guide.conditions)
    steps = [f"Étape {n} sur {total}. {step.text}" for n, step in enumerate(guide.steps, start=1)]
    return [intro, conditions, *steps, _ending(guide, place_names)]


def page(guide: Guide, index: int, place_names: dict[str, str] | None = None) -> Page:
    """The page at `index`, clamped to the guide (a stale index never crashes)."""
    all_pages = pages(guide, place_names)
    index = max(0, min(index, len(all_pages) - 1))
    return Page(guide.id, index, all_pages[index], index == len(all_pages) - 1)


def next_page(guide: Guide, index: int, place_names: dict[str, str] | None = None) -> Page:
    """The page after `index`; after the end, the ending again."""
    return page(guide, index + 1, place_names)


def simpler(guide: Guide, index: int, place_names: dict[str, str] | None = None) -> str:
    """The same page in fewer, easier words."""
    current = page(guide, index, place_names)
    step_index = current.index - 2
    if 0 <= step_index < len(guide.steps):
        step = guide.steps[step_index]
        return step.simpler or step.text
    if current.index == 0:
        return guide.summary.split(". ")[0].rstrip(".") + "."
    if current.index == 1:
        return guide.conditions[0]
    return f"{guide.decider} {DISCLAIMER}"


def documents_text(guide: Guide) -> str:
    """The list of papers to prepare, as one message the resident can keep."""
    lines = "\n".join(f"- {d}" for d in guide.documents)
    return f"Papiers à préparer ({guide.label}) :\n{lines}"


def documents_sms(guide: Guide) -> str:
    """The same list in the SMS alphabet, so it fits in at most 2 SMS."""
    return gsm_text(documents_text(guide))


def explain(text: str, glossary: tuple[Term, ...]) -> Term | None:
    """The glossary word the resident asks about ("c'est quoi la CAF ?"), longest match first."""
    spaced = _spaced(fold(text))
    best: tuple[int, Term] | None = None
    for term in glossary:
        for synonym in (fold(term.term), *term.synonyms):
            if synonym and _spaced(synonym) in spaced:
                if best is None or len(synonym) > best[0]:
                    best = (len(synonym), term)
    return best[1] if best else None


def _spaced(folded: str) -> str:
    """Space out punctuation and pad with spaces, so matching works on whole words."""
    for mark in "?!.,;:()\"«»":
        folded = folded.replace(mark, f" {mark} ")
    folded = folded.replace("'", " ")
    return " ".join(folded.split()).join("  ")
