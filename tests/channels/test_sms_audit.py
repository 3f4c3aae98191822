"""The SMS audit finds responses a basic phone would receive in several SMS."""
from __future__ import annotations

from bot.channels.sms_audit import audit, too_long

LONG = " ".join(["Vous pouvez venir au guichet du lundi au vendredi avec vos papiers."] * 6)


def test_long_response_without_sms_variant_is_flagged_and_a_short_variant_fixes_it() -> None:
    domain = {"responses": {
        "utter_long": [{"text": LONG}],
        "utter_fixed": [{"text": LONG}, {"channel": "sms", "text": "Venez au guichet avec vos papiers."}],
        "utter_menu": [{"text": "Que voulez-vous faire ?", "buttons": [
            {"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}]}],
    }}
    costs = {c.response: c for c in audit(domain)}
    assert [c.response for c in too_long(list(costs.values()))] == ["utter_long"]
    assert costs["utter_fixed"].has_sms_variant and costs["utter_fixed"].messages == 1
    assert costs["utter_menu"].segments == 1 and costs["utter_menu"].encoding == "GSM-7"
