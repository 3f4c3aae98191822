"""X-Twilio-Signature: our implementation against Twilio's published examples and its own SDK."""
from __future__ import annotations

from twilio.request_validator import RequestValidator

from bot.channels.twilio_signature import compute_signature, is_valid

# Worked example of https://www.twilio.com/docs/usage/webhooks/webhooks-security
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
    "From": "+12349013030", "To": "+18005551212",
}
DOC_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_twilio_documented_example() -> None:
    assert compute_signature("12345", DOC_URL, DOC_PARAMS.items()) == DOC_SIGNATURE
    assert is_valid("12345", DOC_URL, DOC_PARAMS.items(), DOC_SIGNATURE)


def test_order_of_parameters_does_not_matter() -> None:
    assert is_valid("12345", DOC_URL, reversed(list(DOC_PARAMS.items())), DOC_SIGNATURE)


def test_any_change_breaks_the_signature() -> None:
    assert not is_valid("12345", DOC_URL, {**DOC_PARAMS, "Digits": "9999"}.items(), DOC_SIGNATURE)
    assert not is_valid("12345", DOC_URL.replace("foo=1", "foo=2"), DOC_PARAMS.items(), DOC_SIGNATURE)
    assert not is_valid("54321", DOC_URL, DOC_PARAMS.items(), DOC_SIGNATURE)
    assert not is_valid("12345", DOC_URL, DOC_PARAMS.items(), None)
    assert not is_valid("", DOC_URL, DOC_PARAMS.items(), DOC_SIGNATURE)


def test_matches_twilios_own_sdk_on_french_sms() -> None:
    url = "https://sesame.chambery.example/webhooks/sms/webhook"
    params = {"From": "+33612345678", "To": "+33700000000", "Body": "Bonjour, j’ai besoin d’aide « vite » ç ê"}
    ours = compute_signature("tok", url, params.items())
    assert ours == RequestValidator("tok").compute_signature(url, params)
    assert RequestValidator("tok").validate(url, params, ours)


def test_default_port_variants_are_accepted() -> None:
    url = "https://sesame.example/webhooks/sms/webhook"
    signature = compute_signature("tok", "https://sesame.example:443/webhooks/sms/webhook", [("Body", "x")])
    assert is_valid("tok", url, [("Body", "x")], signature)
    signature = compute_signature("tok", url, [("Body", "x")])
    assert is_valid("tok", "https://sesame.example:443/webhooks/sms/webhook", [("Body", "x")], signature)
