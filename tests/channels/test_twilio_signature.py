"""X-Twilio-Signature: our wrapper against Twilio's published example and its own SDK."""
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


# What Twilio POSTs to an SMS webhook (field names from its Messaging webhook docs).
INBOUND_SMS = [
    ("ToCountry", "FR"), ("ToState", ""), ("SmsMessageSid", "SM0123456789abcdef0123456789abcdef"),
    ("NumMedia", "0"), ("ToCity", ""), ("FromZip", ""), ("SmsSid", "SM0123456789abcdef0123456789abcdef"),
    ("FromState", ""), ("SmsStatus", "received"), ("FromCity", ""),
    ("Body", "Bonjour, j’ai reçu un courrier de la CAF « urgent » : 50 € à payer ?"),
    ("FromCountry", "FR"), ("To", "+33757000000"), ("ToZip", ""), ("NumSegments", "2"),
    ("MessageSid", "SM0123456789abcdef0123456789abcdef"), ("AccountSid", "AC00000000000000000000000000000000"),
    ("From", "+33612345678"), ("ApiVersion", "2010-04-01"),
]
WEBHOOK = "https://sesame.chambery.example/webhooks/sms/webhook"


def test_wrapper_equals_request_validator_on_a_real_looking_inbound_sms() -> None:
    token = "0123456789abcdef0123456789abcdef"
    expected = RequestValidator(token).compute_signature(WEBHOOK, dict(INBOUND_SMS))
    assert compute_signature(token, WEBHOOK, INBOUND_SMS) == expected
    assert is_valid(token, WEBHOOK, INBOUND_SMS, expected)
    assert RequestValidator(token).validate(WEBHOOK, dict(INBOUND_SMS), compute_signature(token, WEBHOOK, INBOUND_SMS))
    tampered = [(k, "+33699999999" if k == "From" else v) for k, v in INBOUND_SMS]
    assert not is_valid(token, WEBHOOK, tampered, expected)


def test_a_repeated_parameter_is_signed_as_the_sdk_signs_a_multidict() -> None:
    from multidict import MultiDict

    params = [("Body", "oui"), ("MediaUrl", "https://b.example/2"), ("MediaUrl", "https://a.example/1")]
    expected = RequestValidator("tok").compute_signature(WEBHOOK, MultiDict(params))
    assert compute_signature("tok", WEBHOOK, params) == expected
    assert is_valid("tok", WEBHOOK, params, expected)
