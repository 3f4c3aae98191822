"""Words that make a message an emergency, by kind of emergency: the second check before a crisis line.

DIET alone gives a crisis number to figurative or merely sad messages ("ça me tue d'attendre la
CAF", "je craque avec ces papiers", a future parent who feels lost). A crisis answer is kept
only when the message itself says there is danger, in the words people use for it; and a
message that plainly says so is answered as an emergency even when DIET hesitates.

The lists were written from what emergency lines describe (no shelter tonight, violence,
a child in danger, suicidal thoughts, a medical emergency, someone who cannot speak), not
from any evaluation set. Text is folded (lower case, no accents) before matching; each
pattern is a regular expression over whole words.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

FAMILIES: dict[str, tuple[str, ...]] = {
    "urgent_shelter": (
        r"dors? dehors", r"dormir dehors", r"dormi dehors", r"a la rue", r"sans abri", r"sans-abri", r"\bsdf\b",
        r"nulle? part (ou )?(dormir|aller|passer la nuit)", r"(pas|plus|aucun) (de |d')?(toit|logement|endroit) (pour|ou) "
        r"(dormir|ce soir|cette nuit)", r"passer la nuit", r"dormir (ce soir|cette nuit)", r"ou dormir",
        r"dans (ma|la|une) voiture (ce soir|cette nuit|depuis)", r"mis(e)? a la porte", r"jete(e)? dehors",
        r"expulse(e|s)? (ce soir|aujourd'hui|demain matin)", r"\b115\b", r"hebergement d'urgence",
    ),
    "urgent_violence": (
        r"\bme (frappe|bat|battre|cogne|tape|menace|viole|violente|etrangle|enferme|force)\b", r"\bbattue?\b",
        r"\bviol(e|ee|ences?|ent)?\b", r"violences? (conjugales?|sexuelles?|familiales?)", r"\bagress", r"\bcoups?\b",
        r"peur (de|pour) (mon|ma) (mari|conjoint|compagnon|copain|ex|femme|compagne)", r"menace(s)? de mort",
        r"harcel", r"\b3919\b", r"en danger", r"\bm'a (frappe|battue?|viole|etranglee?|menacee?)",
    ),
    "urgent_child": (
        r"(enfant|bebe|fils|fille|petit|petite|gamin|neveu|niece|ado)s? .*(frappe|battu|maltrait|abus|touche|"
        r"danger|seul|affame|enferme|brule|secoue)", r"maltraitance", r"\b119\b", r"(frappe|bat|maltraite) (son|ses|leur|mon|mes) "
        r"(enfant|fils|fille|petit|bebe|gamin)", r"attouchement", r"inceste",
    ),
    "urgent_suicide": (
        r"suicid", r"\bme tuer\b", r"\bme (donner|foutre) la mort\b", r"mettre fin a (mes|ma) (jours|vie)",
        r"\ben finir\b(?! avec (ce|ces|les|mon|ma|mes|la paperasse|le dossier))", r"en finir avec (la vie|tout)",
        r"(envie|veux|veut|veu|voudrais|vais|prefere) (de )?mourir\b", r"plus (envie|la force) de vivre", r"\bme pendre\b",
        r"me faire du mal", r"scarifi", r"sauter (du|d'un|par la|de la)", r"avaler (tous|toutes|des|mes) "
        r"(medicaments|medocs|cachets|comprimes|pilules)", r"\b3114\b", r"disparaitre pour (toujours|de bon)",
    ),
    "urgent_medical": (
        r"respire (pas|plus|mal)", r"\binconscient", r"ne se reveille (pas|plus)", r"(fait|a fait|fais) un malaise",
        r"\bavc\b", r"crise cardiaque", r"douleur (dans|a) la poitrine", r"saigne (beaucoup|enormement|abondamment)",
        r"hemorragie", r"overdose", r"convuls", r"evanoui", r"s'est effondre", r"empoisonn", r"\bsamu\b",
        r"\bpompiers\b", r"\b15\b", r"\b112\b", r"urgence (medicale|vitale)", r"(tombe|chute) .*(ne bouge plus|inconscient)",
    ),
}
# Someone who cannot hear or speak: the 114 is the way, whatever the emergency.
CANNOT_SPEAK = (r"\bsourde?s?\b", r"malentendant", r"\bmuette?\b", r"(peux|peut|pouvons) pas parler",
                r"ne (peux|peut) pas (parler|telephoner|appeler)", r"\b114\b")
# Figures of speech that sound like danger and are not.
FIGURATIVE = (r"mort(e)? de (fatigue|rire|faim|froid|peur|honte)", r"(ca|cela|ils|elle|il|vous|tu) me tue",
              r"me tue(nt)? (a|de) ", r"tuer le temps", r"je craque", r"peter un (cable|plomb)",
              r"me noie dans", r"\bm'assassine", r"mourir d'(ennui|impatience)", r"mourir de (rire|faim|froid|fatigue|honte|peur)",
              r"\bmdr\b", r"\blol\b")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().replace("’", "'").split())


@lru_cache(maxsize=1)
def _compiled() -> tuple[dict[str, re.Pattern[str]], re.Pattern[str], re.Pattern[str]]:
    families = {name: re.compile("|".join(patterns)) for name, patterns in FAMILIES.items()}
    return families, re.compile("|".join(CANNOT_SPEAK)), re.compile("|".join(FIGURATIVE))


def families_in(text: str) -> set[str]:
    """The kinds of emergency the message itself names (after removing figures of speech)."""
    families, _, figurative = _compiled()
    folded = figurative.sub(" ", fold(text))
    return {name for name, pattern in families.items() if pattern.search(folded)}


def figurative(text: str) -> bool:
    """The message uses a figure of speech that sounds like danger ("ça me tue", "mort de fatigue")."""
    return _compiled()[2].search(fold(text)) is not None


def cannot_speak(text: str) -> bool:
    return _compiled()[1].search(fold(text)) is not None
