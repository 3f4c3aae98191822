"""GSM-7 folding and segment counts, as a basic phone and the operator's bill see them."""
from __future__ import annotations

from messaging import gsm7


def test_french_typography_folds_to_gsm7_and_keeps_meaning() -> None:
    text = "L\u2019accueil du CCAS\u00a0: écrivez «\u00a0conseiller\u00a0» \u2026 c\u2019est gratuit\u202f!"
    out = gsm7.normalise(text)
    assert out == 'L\'accueil du CCAS : écrivez "conseiller" ... c\'est gratuit !'
    assert gsm7.is_gsm7(out)


def test_accents_outside_gsm7_are_folded_but_gsm7_accents_are_kept() -> None:
    assert gsm7.normalise("garçon, fenêtre, maïs, cœur, île, où, à, é, è") == (
        "garcon, fenetre, mais, coeur, ile, où, à, é, è"
    )


def test_emoji_has_no_faithful_equivalent_and_is_kept() -> None:
    out = gsm7.normalise("Merci 🙂")
    assert out == "Merci 🙂"
    assert gsm7.segment_info(out).encoding == "UCS-2"


def test_one_lowercase_c_cedilla_would_turn_a_message_into_ucs2() -> None:
    text = "ça " + "a" * 100
    assert gsm7.segment_info(text) == gsm7.SegmentInfo("UCS-2", 103, 2)
    assert gsm7.segment_info(gsm7.normalise(text)) == gsm7.SegmentInfo("GSM-7", 103, 1)


def test_lowercase_c_cedilla_e_circumflex_and_apostrophe_are_ucs2_before_folding() -> None:
    for char in ("ç", "ê", "\u2019"):
        info = gsm7.segment_info(char * 71)
        assert (info.encoding, info.segments) == ("UCS-2", 2)
        assert gsm7.segment_info(gsm7.normalise(char * 71)).segments == 1


def test_segment_boundaries_gsm7() -> None:
    assert gsm7.segment_info("a" * 160).segments == 1
    assert gsm7.segment_info("a" * 161).segments == 2
    assert gsm7.segment_info("a" * 306).segments == 2
    assert gsm7.segment_info("a" * 307).segments == 3
    assert gsm7.segment_info("").segments == 0


def test_extension_characters_count_double_and_never_straddle_segments() -> None:
    assert gsm7.segment_info("€" * 80) == gsm7.SegmentInfo("GSM-7", 160, 1)
    # 152 septets then an escape pair: the pair moves to segment 2.
    info = gsm7.segment_info("a" * 152 + "€" + "a" * 152)
    assert info.units == 306 and info.segments == 3


def test_segment_boundaries_ucs2() -> None:
    assert gsm7.segment_info("ê" * 70).segments == 1
    assert gsm7.segment_info("ê" * 71).segments == 2
    assert gsm7.segment_info("ê" * 134).segments == 2
    assert gsm7.segment_info("ê" * 135).segments == 3
    # An emoji is a surrogate pair: 2 units.
    assert gsm7.segment_info("🙂" * 35).units == 70


def test_short_text_is_one_sms() -> None:
    assert gsm7.split_sms("Bonjour. Comment allez-vous ?") == ["Bonjour. Comment allez-vous ?"]


def test_long_text_splits_on_sentence_boundaries_within_two_segments() -> None:
    sentences = [f"Phrase numéro {i} avec quelques mots pour remplir la ligne." for i in range(12)]
    text = " ".join(sentences)
    parts = gsm7.split_sms(text)
    assert len(parts) > 1
    assert " ".join(parts) == text
    for part in parts:
        assert gsm7.segment_info(part).segments <= 2
        assert part.endswith(".")


def test_a_giant_sentence_is_cut_between_words_never_inside_one() -> None:
    words = [f"mot{i}" for i in range(150)]
    text = " ".join(words)
    parts = gsm7.split_sms(text, max_segments=1)
    assert len(parts) >= 2
    assert all(gsm7.segment_info(p).segments == 1 for p in parts)
    assert [w for p in parts for w in p.split(" ")] == words


def test_lines_are_kept_as_lines_when_packed() -> None:
    text = "Voici les choix.\n1. Un\n2. Deux\nRépondez 1 ou 2."
    assert gsm7.split_sms(text) == [text]


def test_the_alphabet_is_the_gsm0338_codecs() -> None:
    import gsm0338

    codec = gsm0338.Codec()
    for char in "éèàùÉÇ@£$¥Ñß":
        assert gsm7.is_gsm7(char) and len(codec.encode(char)[0]) == gsm7.segment_info(char).units == 1
    for char in "€[]{}|^~\\":
        assert gsm7.is_gsm7(char) and len(codec.encode(char)[0]) == gsm7.segment_info(char).units == 2
    for char in ("ç", "ê", "œ", "«", "»", "\u2019", "\u00a0", "🙂"):
        assert not gsm7.is_gsm7(char)
    text = gsm7.normalise("Rendez-vous confirmé à la Dynamo, 12 € : « apportez votre téléphone ».")
    assert gsm7.segment_info(text).units == len(codec.encode(text)[0])


def test_a_bare_escape_is_not_gsm7_although_the_codec_encodes_it() -> None:
    assert not gsm7.is_gsm7("a\x1bb")
    assert gsm7.segment_info("a\x1bb").encoding == "UCS-2"
