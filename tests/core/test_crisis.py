"""The last net: a message whose words name an emergency gets its numbers, whatever else it gets."""
from actions.core.crisis import crisis_response
from bot.nlu.urgent_check import CRISIS_WORDS


def test_the_gravest_named_emergency_is_answered() -> None:
    assert crisis_response({CRISIS_WORDS: ["urgent_shelter", "urgent_suicide"]}) == "utter_urgent_suicide"
    assert crisis_response({CRISIS_WORDS: ["urgent_child"]}) == "utter_urgent_child"


def test_nothing_named_means_no_crisis_answer() -> None:
    assert crisis_response({}) is None and crisis_response(None) is None
    assert crisis_response({CRISIS_WORDS: []}) is None
