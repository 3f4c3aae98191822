"""Two-stage fallback decisions, on event lists shaped like Rasa's trackers."""
from actions.core.fallback import consecutive_fallbacks, fallback_stage


def user(intent: str) -> dict:
    return {"event": "user", "text": "…", "parse_data": {"intent": {"name": intent}}}


def bot() -> dict:
    return {"event": "bot", "text": "…"}


def test_first_misunderstanding_asks_to_rephrase() -> None:
    assert fallback_stage([user("greet"), bot(), user("nlu_fallback")]) == "rephrase"


def test_second_misunderstanding_in_a_row_offers_a_person() -> None:
    events = [user("nlu_fallback"), bot(), {"event": "rewind"}, user("nlu_fallback")]
    assert fallback_stage(events) == "human"


def test_an_understood_message_resets_the_count() -> None:
    events = [user("nlu_fallback"), bot(), user("help"), bot(), user("nlu_fallback")]
    assert consecutive_fallbacks(events) == 1
    assert fallback_stage(events) == "rephrase"


def test_a_message_the_catalogue_answered_after_all_is_not_a_misunderstanding() -> None:
    answered = {"event": "slot", "name": "catalogue_demande", "value": "je sais pas me servir d'un ordi"}
    events = [user("nlu_fallback"), answered, bot(), user("nlu_fallback")]
    assert consecutive_fallbacks(events) == 1
    assert fallback_stage(events) == "rephrase"
