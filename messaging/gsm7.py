"""GSM-7 alphabet, normalisation and SMS segment arithmetic.

A basic phone bills and displays an SMS in segments: 160 GSM-7 characters, or
only 70 as soon as one character is outside GSM-7 (UCS-2). French typography
(’ « » non-breaking spaces, ê, ç, œ) silently pushes a message into UCS-2, so we
fold those to GSM-7 wherever the meaning survives, then count and split.

The alphabet and the encoding are the ``gsm0338`` codec's (GSM 03.38 default alphabet
and its extension table): a text is GSM-7 when the codec encodes it, and its length
in septets is the length of what the codec writes (an extension character such as €
is escape + septet: 2). Measured on the project's texts (every domain response and
every ``bot.channels.texts`` string, raw and folded: 234 texts) with gsm0338 1.1.0,
``is_gsm7``, ``segment_info`` and ``split_sms`` give exactly what the former
hand-written table gave: é è à ù are GSM-7 (1 septet), € is 2, and ç ê œ « » ’ and
non-breaking spaces are not. The codec is slower than a set look-up (segment_info and
two split_sms on those 234 texts: about 72 ms against 26 ms, 0.3 ms a text), which
is nothing beside sending an SMS. Two things stay here, being no codec's job:

* the codec also encodes a bare ESC (U+001B, the escape septet itself), which a
  handset would read as the start of an extension character: such a text is
  treated as not GSM-7;
* folding French typography (``normalise``) and cutting into segments, where an
  escape pair or a surrogate pair never straddles two segments (3GPP TS 23.040).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import gsm0338
from gsm0338.charset import BASIC_CHARACTER_SET, BASIC_CHARACTER_SET_EXTENSION

_CODEC = gsm0338.Codec()
_ESCAPE = "\x1b"

# GSM 03.38 default alphabet (one septet each) and extension table (escape + one septet),
# read from the codec's own tables.
GSM7_BASIC = frozenset(unicodedata.lookup(name) for name in BASIC_CHARACTER_SET.values()) - {_ESCAPE}
GSM7_EXTENSION = frozenset(unicodedata.lookup(name) for name in BASIC_CHARACTER_SET_EXTENSION.values())

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67

# Typography with a plain GSM-7 equivalent that keeps the meaning.
_PUNCTUATION = {
    "\u2019": "'", "\u2018": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2026": "...", "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u2022": "-", "\u00b7": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "\u2002": " ", "\u2003": " ", "\u200a": " ", "\t": " ",
    "\u200b": "", "\u200d": "", "\ufeff": "", "\u00ad": "",
    "œ": "oe", "Œ": "OE", "ﬁ": "fi", "ﬂ": "fl",
}
_GUILLEMETS = re.compile(r"«\s*|\s*»")
_NUMERO = re.compile(r"\bn°\s*", re.IGNORECASE)


def _septets(text: str) -> int | None:
    """The length of ``text`` in GSM-7 septets, as the codec encodes it; None when it is not GSM-7."""
    if _ESCAPE in text:
        return None
    try:
        encoded, _ = _CODEC.encode(text)
    except UnicodeEncodeError:
        return None
    return len(encoded)


def is_gsm7(text: str) -> bool:
    """True when every character can be sent in the GSM-7 alphabet."""
    return _septets(text) is not None


def _fold_char(char: str) -> str:
    """One character in GSM-7 if it is an accented letter with a GSM-7 base, else itself."""
    if char in GSM7_BASIC or char in GSM7_EXTENSION:
        return char
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if base and is_gsm7(base):
        return base
    return char


def normalise(text: str) -> str:
    """Fold French typography and accents to GSM-7 where the meaning survives.

    ê→e, ç→c, ’→', « x »→"x", non-breaking spaces→space, …→... and œ→oe.
    Characters with no faithful equivalent (emoji, other scripts) are kept: the
    message then goes out in UCS-2 rather than losing meaning.
    """
    text = unicodedata.normalize("NFC", text)
    text = _NUMERO.sub("n. ", text)
    text = _GUILLEMETS.sub('"', text)
    text = "".join(_PUNCTUATION.get(c, c) for c in text)
    return "".join(_fold_char(c) for c in text)


@dataclass(frozen=True)
class SegmentInfo:
    """How an SMS body travels: encoding, length in encoding units, segment count."""

    encoding: str  # "GSM-7" or "UCS-2"
    units: int
    segments: int


def _char_units(char: str, gsm: bool) -> int:
    if gsm:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def segment_info(text: str) -> SegmentInfo:
    """Count segments as a handset does; an escape pair or a surrogate pair never straddles two."""
    septets = _septets(text)
    gsm = septets is not None
    encoding = "GSM-7" if gsm else "UCS-2"
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if gsm else (UCS2_SINGLE, UCS2_MULTI)
    units = septets if septets is not None else sum(_char_units(c, False) for c in text)  # UTF-16 units, lone surrogates too
    if units <= single:
        return SegmentInfo(encoding, units, 1 if units else 0)
    segments, used = 1, 0
    for char in text:
        size = _char_units(char, gsm)
        if used + size > multi:
            segments, used = segments + 1, 0
        used += size
    return SegmentInfo(encoding, units, segments)


def fits(text: str, max_segments: int) -> bool:
    return segment_info(text).segments <= max_segments


_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")


def _pieces(text: str) -> list[tuple[str, str]]:
    """Lines, then sentences, each with the separator that preceded it."""
    pieces: list[tuple[str, str]] = []
    for line in text.split("\n"):
        for sent_no, sentence in enumerate(s for s in _SENTENCE_END.split(line.strip()) if s):
            sep = "" if not pieces else ("\n" if sent_no == 0 else " ")
            pieces.append((sep, sentence))
    return pieces


def _split_words(sentence: str, max_segments: int) -> list[str]:
    """A sentence too long for one SMS, cut between words (a lone giant word is cut as a last resort)."""
    parts: list[str] = []
    current = ""
    for word in sentence.split(" "):
        candidate = f"{current} {word}" if current else word
        if fits(candidate, max_segments):
            current = candidate
            continue
        if current:
            parts.append(current)
        while not fits(word, max_segments):
            cut = len(word)
            while not fits(word[:cut], max_segments):
                cut -= 1
            parts.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        parts.append(current)
    return parts


def split_sms(text: str, max_segments: int = 2) -> list[str]:
    """Split a reply into SMS of at most ``max_segments`` segments each.

    Cuts fall between sentences (or lines); a single over-long sentence is cut
    between words, never inside one.
    """
    text = text.strip()
    if not text:
        return []
    if fits(text, max_segments):
        return [text]
    parts: list[str] = []
    current = ""
    for sep, sentence in _pieces(text):
        candidate = f"{current}{sep}{sentence}" if current else sentence
        if fits(candidate, max_segments):
            current = candidate
            continue
        if current:
            parts.append(current)
            current = ""
        if fits(sentence, max_segments):
            current = sentence
        else:
            *full, current = _split_words(sentence, max_segments)
            parts.extend(full)
    if current:
        parts.append(current)
    return parts
