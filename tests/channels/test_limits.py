"""Limits on every channel (length, per sender, per IP), and the rule no limit may break:
an urgent message is never silenced, not by a rate limit, not by STOP.

Real Sanic servers, signed Twilio webhooks exactly as Twilio sends them, PTB against the
fake Bot API, Rasa's real socket.io channel with a socket.io client, and Rasa's REST channel.
Rasa's message handler is a scripted assistant that records what reached it: a message the
limits stop never reaches Rasa, so it is never parsed nor stored in a tracker.
"""
from __future__ import annotations

import asyncio
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from rasa.core.channels.channel import UserMessage

from messaging.state import store
from actions.common.db import get_engine
from actions.common.settings import reset_settings_cache
from bot.channels import limits, texts
from messaging import gsm7
from bot.settings import BotSettings, get_bot_settings, networks, reset_bot_settings_cache
from bot.channels.rest import GuardedRestInput
from bot.channels.sms import SmsInput
from bot.channels.socketio import SesameSocketIOInput
from bot.channels.telegram import SECRET_HEADER, TelegramInput
from tests.channels.fake_bot_api import fake_bot_api
from tests.channels.harness import serve_channel
from tests.channels.test_sms_webhook import PHONE, TOKEN, post as sms_post, sent
from tools.domain import load_domain

ROOT = Path(__file__).resolve().parents[2]
ALL_NUMBERS = ("15", "17", "18", "112", "114", "115", "119", "3114", "3919")
NUMBER = re.compile(r"(?<!\d)\d{2,4}(?!\d)")
DOMAIN = load_domain()
SUICIDE_ANSWER = DOMAIN["responses"]["utter_urgent_suicide"][0]["text"]
SECRET = "s3cret-token_for-tests"
CHAT = 777001


def numbers_in(text: str) -> set[str]:
    return set(NUMBER.findall(text))


class Assistant:
    """Stands in for Rasa: records each message; answers an emergency about suicide as the domain
    does, and anything else with a plain reply (as Rasa would answer a fire: it has no response)."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        text = message.text or ""
        reply = SUICIDE_ANSWER if "mourir" in text else "Je n'ai pas bien compris. Pouvez-vous reformuler ?"
        await message.output_channel.send_response(message.sender_id, {"text": reply})


def reset_all() -> None:
    for reset in (reset_settings_cache, reset_bot_settings_cache, get_engine.cache_clear):
        reset()


@pytest.fixture
def settings_env(monkeypatch):
    """Set channel variables, then read them afresh (channels read settings when built)."""

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        reset_all()

    yield apply
    reset_all()


# ---------------------------------------------------------------- texts

def test_the_rate_notice_gives_every_emergency_number_in_one_sms() -> None:
    notice = gsm7.normalise(texts.SMS_RATE_LIMITED)
    info = gsm7.segment_info(notice)
    assert info.encoding == "GSM-7" and info.segments == 1 and len(notice) <= 160
    assert numbers_in(notice) >= set(ALL_NUMBERS)
    assert "1 h" in notice
    for minutes in (10, 30, 90, 120):  # any configured window still fits one concatenated SMS
        other = gsm7.normalise(texts.rate_limited(timedelta(minutes=minutes)))
        assert gsm7.segment_info(other).segments <= 2 and numbers_in(other) >= set(ALL_NUMBERS)


@pytest.mark.parametrize("kinds", [(), ("urgent_suicide",), ("urgent_child",), ("urgent_violence",),
                                   ("urgent_medical",), ("urgent_fire",), ("urgent_shelter",),
                                   ("urgent_suicide", "urgent_child", "urgent_violence")])
def test_urgent_and_too_long_texts_fit_two_sms_and_give_the_numbers(kinds) -> None:
    for text in (texts.urgent_text(kinds, True), texts.urgent_text(kinds), texts.too_long(kinds, True)):
        folded = gsm7.normalise(text)
        assert gsm7.segment_info(folded).encoding == "GSM-7" and gsm7.segment_info(folded).segments <= 2
        assert numbers_in(folded) >= set(ALL_NUMBERS)
    if kinds:
        first = texts.URGENT_LINES[kinds[0]]
        assert texts.urgent_text(kinds, True).startswith(first)
    assert texts.too_long().startswith("Votre message est très long. Pouvez-vous l'écrire en plus court ?")


def test_each_urgent_line_gives_the_numbers_of_the_domain_answer() -> None:
    """The channel's own urgent lines must not drift from the reviewed answers in domain/urgent.yml."""
    for kind, line in texts.URGENT_LINES.items():
        response = DOMAIN["responses"].get(f"utter_{kind}")
        if response is None:  # fire: no answer in the domain, the 18 (pompiers) and the 112
            assert kind == "urgent_fire" and numbers_in(line) == {"18", "112"}
            continue
        assert numbers_in(line) <= numbers_in(response[0]["text"]), kind
        assert set(limits.EXPECTED_NUMBERS[kind]) <= numbers_in(line), kind
    for name, response in DOMAIN["responses"].items():
        if name.startswith("utter_urgent_"):
            assert numbers_in(response[0]["text"]) <= set(ALL_NUMBERS), name


# ---------------------------------------------------------------- urgency and counters

@pytest.mark.parametrize("text, kind", [
    ("je veux mourir", "urgent_suicide"), ("il y a le feu chez moi", "urgent_fire"),
    ("mon mari me frappe", "urgent_violence"), ("je dors dehors ce soir", "urgent_shelter"),
    ("au secours", "urgent_general"), ("/urgent_shelter", "urgent_shelter"),
])
def test_urgent_messages_are_recognised(text, kind) -> None:
    assert kind in limits.urgency(text).kinds


def test_someone_who_cannot_speak_is_urgent_and_ordinary_messages_are_not() -> None:
    assert limits.urgency("je suis sourde").cannot_speak
    for text in ("bonjour", "je cherche la CAF", "/help", "/ask_human", "ça me tue d'attendre", ""):
        assert not limits.urgency(text), text


def test_a_long_message_is_scanned_in_bounded_time_head_and_tail() -> None:
    filler = "enfant bla bla bla bla bla bla bla bla bla bla. " * 5000  # 250,000 characters
    start = time.perf_counter()
    assert "urgent_suicide" in limits.urgency(filler + " je veux mourir").kinds
    assert "urgent_fire" in limits.urgency("il y a le feu " + filler).kinds
    assert time.perf_counter() - start < 1.0


def test_window_counter_notifies_once_resets_and_stays_bounded() -> None:
    now = [0.0]
    counter = limits.WindowCounter(2, timedelta(minutes=1), max_keys=10, clock=lambda: now[0])
    assert [counter.hit("a").allowed for _ in range(2)] == [True, True]
    third, fourth = counter.hit("a"), counter.hit("a")
    assert (third.allowed, third.notify) == (False, True) and (fourth.allowed, fourth.notify) == (False, False)
    assert counter.over("a") and not counter.over("b")
    now[0] = 61.0
    assert counter.hit("a").allowed
    for i in range(100):
        counter.hit(f"k{i}")
    assert len(counter._counts) <= 10
    assert limits.WindowCounter(0, timedelta(minutes=1)).hit("x").allowed  # 0: no limit


def gate_settings(**overrides) -> BotSettings:
    base = dict(sms_rate_limit=30, sms_rate_window=timedelta(hours=1), sms_webhook_url="", telegram_webhook_url="",
                rate_limit=2, ip_rate_limit=3, urgent_over_limit=2)
    base.update(overrides)
    return BotSettings(**base)


def test_gate_decisions() -> None:
    push = limits.Gate(gate_settings(), always_answer=False)
    assert [push.check("bonjour", "s").action for _ in range(2)] == [limits.PROCESS] * 2
    notice = push.check("bonjour", "s")
    assert notice.action == limits.REPLY and numbers_in(notice.text) >= set(ALL_NUMBERS)
    assert push.check("bonjour", "s").action == limits.SILENT
    urgent = push.check("je veux mourir", "s")
    assert urgent.action == limits.PROCESS and urgent.urgency.kinds[0] == "urgent_suicide"
    assert push.check("il y a le feu", "s").action == limits.PROCESS
    beyond = push.check("je veux mourir", "s")  # past SESAME_URGENT_OVER_LIMIT: the numbers, no Rasa
    assert beyond.action == limits.REPLY and "3114" in beyond.text
    assert push.check("x" * 2001 + " je veux mourir", "s").text.startswith(texts.URGENT_LINES["urgent_suicide"])

    ask = limits.Gate(gate_settings(), always_answer=True)
    long = ask.check("x" * 2001, "t")
    assert long.action == limits.REPLY and long.text == texts.too_long()
    ask.check("a", "t")
    assert [ask.check("a", "t").action for _ in range(2)] == [limits.REPLY] * 2  # answered every time

    by_ip = limits.Gate(gate_settings(rate_limit=100), always_answer=True)
    assert [by_ip.check("a", f"s{i}", ip="203.0.113.9").status for i in range(4)] == [200, 200, 200, 429]
    assert by_ip.check("je veux mourir", "s9", ip="203.0.113.9").action == limits.PROCESS
    assert by_ip.check("a", "s10", ip="203.0.113.10").action == limits.PROCESS
    exempt = limits.Gate(gate_settings(rate_limit=100, ip_rate_exempt=networks("127.0.0.0/8")), always_answer=True)
    assert all(exempt.check("a", f"s{i}", ip="127.0.0.1").action == limits.PROCESS for i in range(10))


# ---------------------------------------------------------------- SMS, signed as Twilio signs

@pytest.fixture
def sms(db_url, tmp_path, settings_env):
    outbox = tmp_path / "outbox.jsonl"
    settings_env(DATABASE_URL=db_url, SMS_PROVIDER="log", SMS_OUTBOX=str(outbox), SMS_RATE_LIMIT="3",
                 TWILIO_AUTH_TOKEN=TOKEN)
    assistant = Assistant()
    with serve_channel(SmsInput.from_credentials(None), assistant) as base:
        yield base + "/webhooks/sms/webhook", assistant, outbox
    get_engine().dispose()


def bodies(outbox: Path, start: int = 0) -> list[str]:
    return [m["body"] for m in sent(outbox)[start:]]


def test_sms_over_the_limit_ordinary_gets_the_notice_urgent_gets_the_numbers(sms) -> None:
    url, assistant, outbox = sms
    for i in range(3):
        assert sms_post(url, f"question {i}").status_code == 200
    assert len(assistant.received) == 3
    before = len(sent(outbox))
    sms_post(url, "encore une question")
    notice = bodies(outbox, before)
    assert notice == [gsm7.normalise(texts.SMS_RATE_LIMITED)]
    assert numbers_in(notice[0]) >= set(ALL_NUMBERS)
    sms_post(url, "et encore")  # one notice per window, then quiet
    assert len(sent(outbox)) == before + 1 and len(assistant.received) == 3

    sms_post(url, "je veux mourir")  # over the limit, urgent: Rasa answers it
    assert assistant.received[-1].text == "je veux mourir"
    answer = "\n".join(bodies(outbox, before + 1))
    assert "3114" in answer and "114" in answer
    count = len(sent(outbox))
    sms_post(url, "il y a le feu chez moi")  # Rasa has no fire answer: the channel adds the numbers
    assert assistant.received[-1].text == "il y a le feu chez moi"
    answer = "\n".join(bodies(outbox, count))
    assert "Je n'ai pas bien compris" in answer and {"18", "112"} <= numbers_in(answer)
    assert all(gsm7.segment_info(b).encoding == "GSM-7" for b in bodies(outbox))


def test_sms_urgent_messages_past_the_allowance_get_the_numbers_at_once(sms) -> None:
    url, assistant, outbox = sms
    for i in range(4):
        sms_post(url, f"question {i}")
    received = len(assistant.received)
    for _ in range(12):  # SESAME_URGENT_OVER_LIMIT (10) go to Rasa, the others get the numbers without it
        before = len(sent(outbox))
        sms_post(url, "je veux mourir")
        assert "3114" in "\n".join(bodies(outbox, before))
    assert len(assistant.received) == received + 10


def test_an_opted_out_number_sending_an_urgent_message_gets_the_numbers(sms) -> None:
    url, assistant, outbox = sms
    sms_post(url, "STOP")
    assert store.is_opted_out(PHONE)
    before = len(sent(outbox))
    sms_post(url, "bonjour")
    assert len(sent(outbox)) == before  # STOP still silences ordinary messages
    sms_post(url, "je veux mourir")
    reply = bodies(outbox, before)
    assert len(reply) == 1 and "3114" in reply[0] and numbers_in(reply[0]) >= set(ALL_NUMBERS)
    assert gsm7.segment_info(reply[0]).segments <= 2
    sms_post(url, "il y a le feu chez moi")
    assert {"18", "112"} <= numbers_in(bodies(outbox, before + 1)[0])
    assert assistant.received == []  # answered by the channel: nothing stored for an opted-out number
    assert store.is_opted_out(PHONE)  # and the number stays stopped


def test_a_too_long_sms_gets_the_kind_reply_and_never_reaches_rasa(sms) -> None:
    url, assistant, outbox = sms
    sms_post(url, "Bonjour. " * 300)  # 2,700 characters
    reply = bodies(outbox)
    assert reply == [gsm7.normalise(texts.too_long())]
    start = time.perf_counter()
    assert sms_post(url, "a" * 40_000).status_code == 200
    assert time.perf_counter() - start < 3
    assert bodies(outbox)[-1] == reply[0]
    assert sms_post(url, "a" * 200_000).status_code == 413  # over 64 KB: not even parsed
    assert assistant.received == []


def test_sms_refused_requests_are_limited_per_ip(db_url, tmp_path, settings_env) -> None:
    settings_env(DATABASE_URL=db_url, SMS_PROVIDER="log", SMS_OUTBOX=str(tmp_path / "o.jsonl"),
                 TWILIO_AUTH_TOKEN=TOKEN, SESAME_IP_RATE_EXEMPT="", SESAME_IP_RATE_LIMIT="3")
    assistant = Assistant()
    with serve_channel(SmsInput.from_credentials(None), assistant) as base:
        url = base + "/webhooks/sms/webhook"
        assert sms_post(url, "bonjour").status_code == 200  # good requests are never counted per IP
        assert [sms_post(url, "x", token="wrong").status_code for _ in range(3)] == [403] * 3
        assert sms_post(url, "bonjour").status_code == 429
    get_engine().dispose()
    assert len(assistant.received) == 1


# ---------------------------------------------------------------- Telegram

def tg_update(update_id: int, text: str) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": text,
        "chat": {"id": CHAT, "type": "private"}, "from": {"id": 5, "is_bot": False, "first_name": "Nadia"}}}


@pytest.fixture
def telegram(sqlite_url, settings_env):
    settings_env(DATABASE_URL=sqlite_url, SESAME_RATE_LIMIT="3")
    assistant = Assistant()
    with fake_bot_api() as api:
        channel = TelegramInput("123:ABC", SECRET, base_url=api.base_url)
        with serve_channel(channel, assistant) as base:
            url = base + "/webhooks/telegram/webhook"
            yield (lambda n, text: requests.post(url, json=tg_update(n, text), headers={SECRET_HEADER: SECRET},
                                                 timeout=10)), api, assistant


def test_telegram_over_the_limit_ordinary_gets_one_notice_urgent_gets_the_numbers(telegram) -> None:
    post, api, assistant = telegram
    for i in range(3):
        post(i + 1, f"question {i}")
    post(10, "encore")
    post(11, "et encore")
    notices = [m["text"] for m in api.calls_to("sendMessage") if m["text"] == texts.rate_limited(timedelta(minutes=10))]
    assert len(notices) == 1 and numbers_in(notices[0]) >= set(ALL_NUMBERS)
    assert len(assistant.received) == 3
    post(12, "je veux mourir")
    assert assistant.received[-1].text == "je veux mourir" and "3114" in api.calls_to("sendMessage")[-1]["text"]
    post(13, "il y a le feu chez moi")
    last_two = [m["text"] for m in api.calls_to("sendMessage")[-2:]]
    assert last_two[0].startswith("Je n'ai pas bien compris") and {"18", "112"} <= numbers_in(last_two[1])


def test_a_too_long_telegram_message_gets_the_kind_reply_and_never_reaches_rasa(telegram) -> None:
    post, api, assistant = telegram
    assert post(1, "Bonjour. " * 400).status_code == 200
    assert api.calls_to("sendMessage")[-1]["text"] == texts.too_long()
    assert assistant.received == []


def test_an_absurd_telegram_body_gets_413(sqlite_url, settings_env) -> None:
    settings_env(DATABASE_URL=sqlite_url)
    assistant = Assistant()
    with fake_bot_api() as api:
        with serve_channel(TelegramInput("123:ABC", SECRET, base_url=api.base_url), assistant) as base:
            response = requests.post(base + "/webhooks/telegram/webhook", json=tg_update(1, "a" * 70_000),
                                     headers={SECRET_HEADER: SECRET}, timeout=10)
        assert response.status_code == 413 and api.calls_to("sendMessage") == []
    assert assistant.received == []


# ---------------------------------------------------------------- REST

@pytest.fixture
def rest(settings_env):
    settings_env(SESAME_RATE_LIMIT="3")
    assistant = Assistant()
    with serve_channel(GuardedRestInput(), assistant) as base:
        yield base + "/webhooks/rest/webhook", assistant


def say(url: str, text: str, sender: str = "r1") -> requests.Response:
    return requests.post(url, json={"sender": sender, "message": text}, timeout=20)


def test_rest_too_long_messages_get_a_kind_200_and_absurd_bodies_a_413(rest) -> None:
    url, assistant = rest
    reply = say(url, "Bonjour. " * 500)
    assert reply.status_code == 200 and reply.json() == [{"recipient_id": "r1", "text": texts.too_long()}]
    start = time.perf_counter()
    assert say(url, "a" * 40_000, sender="r2").json()[0]["text"] == texts.too_long()
    assert time.perf_counter() - start < 3
    huge = say(url, "a" * 200_000, sender="r3")
    assert huge.status_code == 413 and "error" in huge.json()
    assert assistant.received == []  # never parsed, never stored
    assert say(url, "bonjour").json()[0]["text"].startswith("Je n'ai pas bien compris")


def test_rest_over_the_sender_limit_answers_the_notice_and_urgent_messages_still_reach_rasa(rest) -> None:
    url, assistant = rest
    for i in range(3):
        say(url, f"question {i}")
    over = say(url, "encore")
    assert over.status_code == 200 and over.json()[0]["text"] == texts.rate_limited(timedelta(minutes=10))
    assert len(assistant.received) == 3
    urgent = say(url, "je veux mourir")
    assert urgent.status_code == 200 and "3114" in urgent.json()[0]["text"]
    fire = [m["text"] for m in say(url, "il y a le feu chez moi").json()]
    assert len(fire) == 2 and {"18", "112"} <= numbers_in(fire[1])
    assert [m.text for m in assistant.received[3:]] == ["je veux mourir", "il y a le feu chez moi"]
    assert say(url, "bonjour", sender="r2").status_code == 200 and len(assistant.received) == 6


def test_rest_per_ip_limit_gives_429_but_never_to_an_urgent_message(settings_env) -> None:
    settings_env(SESAME_IP_RATE_EXEMPT="", SESAME_IP_RATE_LIMIT="2")
    assistant = Assistant()
    with serve_channel(GuardedRestInput(), assistant) as base:
        url = base + "/webhooks/rest/webhook"
        assert [say(url, "a", sender=f"s{i}").status_code for i in range(2)] == [200, 200]
        limited = say(url, "a", sender="s3")
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "60"
        assert numbers_in(limited.json()[0]["text"]) >= set(ALL_NUMBERS)
        urgent = say(url, "je veux mourir", sender="s4")
        assert urgent.status_code == 200 and "3114" in urgent.json()[0]["text"]
    assert len(assistant.received) == 3


def test_loopback_is_not_limited_per_ip_by_default(rest) -> None:
    url, assistant = rest
    for i in range(get_bot_settings().ip_rate_limit + 5):
        assert say(url, "a", sender=f"s{i}").status_code == 200


# ---------------------------------------------------------------- socket.io (web chat)

async def web_chat(base: str, messages: list[str], session: str = "web-1") -> list[list[str]]:
    """Send each message as the widget does; return the bot messages received after each."""
    import socketio

    client = socketio.AsyncClient()
    received: list[str] = []
    confirmed = asyncio.Event()
    client.on("bot_uttered", lambda data: received.append(data.get("text", "")))
    client.on("session_confirm", lambda _data: confirmed.set())
    await client.connect(base, transports=["polling"], socketio_path="/socket.io")
    await client.emit("session_request", {"session_id": session})
    await asyncio.wait_for(confirmed.wait(), 5)
    turns = []
    for text in messages:
        start = len(received)
        await client.emit("user_uttered", {"message": text, "session_id": session})
        deadline = time.monotonic() + 5
        while len(received) == start and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # a second message of the same turn
        turns.append(received[start:])
    await client.eio.disconnect(abort=True)  # without waiting for the pending long poll (up to 25 s)
    return turns


@pytest.fixture
def web(settings_env):
    settings_env(SESAME_RATE_LIMIT="2")
    assistant = Assistant()
    channel = SesameSocketIOInput.from_credentials({"session_persistence": True})
    with serve_channel(channel, assistant) as base:
        yield base, assistant


def test_web_chat_too_long_message_gets_the_kind_reply_and_never_reaches_rasa(web) -> None:
    base, assistant = web
    turns = asyncio.run(web_chat(base, ["Bonjour. " * 500, "a" * 40_000]))
    turns += asyncio.run(web_chat(base, ["a" * 200_000], session="web-2"))  # the rate limit here is 2
    assert all("".join(turn).startswith("Votre message est très long.") for turn in turns)
    assert assistant.received == []


def test_web_chat_over_the_limit_answers_the_notice_and_urgent_messages_still_reach_rasa(web) -> None:
    base, assistant = web
    turns = asyncio.run(web_chat(base, ["a", "b", "c", "d", "je veux mourir", "il y a le feu chez moi"]))
    notice = texts.rate_limited(timedelta(minutes=10))
    assert turns[2] == [notice] and turns[3] == [notice]
    assert "3114" in "\n".join(turns[4])
    assert {"18", "112"} <= numbers_in("\n".join(turns[5]))
    assert [m.text for m in assistant.received] == ["a", "b", "je veux mourir", "il y a le feu chez moi"]


def test_web_chat_per_ip_limit_never_blocks_an_urgent_message(settings_env) -> None:
    settings_env(SESAME_IP_RATE_EXEMPT="", SESAME_IP_RATE_LIMIT="2")
    assistant = Assistant()
    channel = SesameSocketIOInput.from_credentials({"session_persistence": True})
    with serve_channel(channel, assistant) as base:
        first = asyncio.run(web_chat(base, ["a"], session="web-a"))
        second = asyncio.run(web_chat(base, ["b", "c", "je suis sourde, je ne peux pas parler"], session="web-b"))
    assert first[0][0].startswith("Je n'ai pas bien compris") and second[0][0].startswith("Je n'ai pas bien compris")
    assert second[1] == [texts.rate_limited(timedelta(minutes=10))]
    assert "114" in numbers_in("\n".join(second[2]))
    assert [m.text for m in assistant.received] == ["a", "b", "je suis sourde, je ne peux pas parler"]


def test_the_length_limit_is_configured_once_for_every_channel(settings_env) -> None:
    settings_env(SESAME_MAX_MESSAGE_CHARS="50")
    assistant = Assistant()
    with serve_channel(GuardedRestInput(), assistant) as base:
        url = base + "/webhooks/rest/webhook"
        assert say(url, "a" * 50).json()[0]["text"].startswith("Je n'ai pas bien compris")
        assert say(url, "a" * 51).json()[0]["text"] == texts.too_long()
    assert limits.Gate(always_answer=True).max_chars == 50
    assert len(assistant.received) == 1
