"""Faults on the real production topology, started by `make run-prod`'s launcher.

One topology for the whole module (tools/run_prod.py as a subprocess: HAProxy, two Rasa
replicas, two action servers, the web server, two workers) on a private PostgreSQL (initdb in a
temporary folder, so that one test may restart it), the machine's Redis (lock store) and
RabbitMQ (event broker, a queue of its own). Every resident turn goes through HAProxy's REST
endpoint. The tests run in file order; each leaves the topology serving for the next.
"""
from __future__ import annotations

import json
import signal
import time
import uuid
from datetime import datetime, timezone
from typing import Iterator

import pytest
from sqlalchemy import text

from actions.common.db import make_engine
from tests.conftest import require_service
from tests.production.run_prod_topology import PrivatePostgres, RunProd, http

pytestmark = [pytest.mark.production, pytest.mark.e2e, pytest.mark.rasa]

APOLOGY = "Désolé, je n'ai pas pu répondre"
ASK_HUMAN = "je veux parler a une vraie personne"  # answered by a custom action (the handoff form)
BOOKING = [
    ("je voudrais un rdv pour apprendre a envoyer un mail", "Où voulez-vous aller"),
    ("peu importe", None),  # the offered times, as buttons
    (None, "prénom"),  # the first offered time
    ("Nadia", "portable"),
    ("06 12 34 56 78", "Nadia"),
    ("oui", "référence"),
]


def france_services_phone() -> str:
    """The sourced number the apology gives (data/catalogue/contacts.yml, France Services)."""
    from actions.core.contacts import format_phone, load_contacts

    contact = next(c for c in load_contacts() if c.id == "france-services-hauts-de-chambery")
    return format_phone(contact.telephone)


def texts(replies: list) -> str:
    return "\n".join(str(r.get("text") or "") for r in replies if isinstance(r, dict))


def first_offer(replies: list) -> str:
    for reply in replies:
        for button in reply.get("buttons", []) or []:
            if button.get("payload") and button["payload"] != "un autre jour":
                return button["payload"]
    raise AssertionError(f"no offered time in {texts(replies)!r}")


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivatePostgres]:
    require_service("Redis", "127.0.0.1", 6379)
    require_service("RabbitMQ", "127.0.0.1", 5672)
    from tools.run_prod import haproxy_binary, ProductionConfigError

    try:
        haproxy_binary()
    except ProductionConfigError as exc:
        import os

        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    postgres = PrivatePostgres().start()
    yield postgres
    postgres.stop()


@pytest.fixture(scope="module")
def topology(trained_model, private_postgres, tmp_path_factory) -> Iterator[RunProd]:
    run = RunProd(private_postgres, tmp_path_factory.mktemp("run-prod"))
    run.start()
    print(f"\nrun-prod topology ready in {run.startup_s} s")
    yield run
    run.stop()
    run.delete_queue()


def refused(port: int) -> bool:
    """True once nothing listens on ``port`` any more (every thread of a killed process has exited)."""
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True


def tracker_rows(run: RunProd, sender: str) -> list[dict]:
    """The conversation's rows in the tracker store (PostgreSQL), in order."""
    engine = make_engine(run.tracker_db)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})
            return [json.loads(row.data) for row in rows]
    finally:
        engine.dispose()


def booking_turn(run: RunProd, sender: str, step: int, last: list) -> tuple[list, str]:
    message, expected = BOOKING[step]
    status, replies, replica, _ = run.say(sender, message if message is not None else first_offer(last))
    assert status == 200, f"turn {step + 1}: HTTP {status}"
    assert APOLOGY not in texts(replies), f"turn {step + 1} got the apology"
    if expected:
        assert expected in texts(replies), f"turn {step + 1}: {texts(replies)!r}"
    return replies, replica


def test_every_process_answers_its_health_check(topology: RunProd) -> None:
    state = topology.state()
    assert set(state["health"]) == {"haproxy", "actions", "actions2", "rasa", "rasa2", "web", "worker", "worker2"}
    for name, url in state["health"].items():
        assert http("GET", url, timeout=5)[0] == 200, name
    status, page, _ = http("GET", state["lb"]["stats"] + ";csv")
    assert status == 200
    up = {line.split(",")[1] for line in page.splitlines() if ",UP," in line}
    assert {"rasa1", "rasa2", "actions1", "actions2"} <= up, page
    assert sorted(topology.worker_roles().values()) == ["leader", "standby"]


def test_a_conversation_alternating_between_replicas_stays_coherent(topology: RunProd) -> None:
    """Each booking turn depends on the one before; HAProxy alternates the replicas; PostgreSQL
    holds exactly what Rasa serves."""
    sender = f"prod-alt-{uuid.uuid4().hex[:8]}"
    replicas, last = [], []
    for step in range(len(BOOKING)):
        last, replica = booking_turn(topology, sender, step, last)
        replicas.append(replica)
    assert set(replicas) == {"rasa1", "rasa2"}, replicas
    # Roundrobin alternates; other calls through HAProxy (the web server's, the worker's) may take a
    # turn of the rotation, so the test asks for switches, not a strict alternation.
    switches = sum(a != b for a, b in zip(replicas, replicas[1:]))
    assert switches >= 3, f"the conversation stayed on one replica: {replicas}"
    served = topology.tracker_events(sender)
    stored = tracker_rows(topology, sender)
    assert served == stored, "Rasa's tracker and the PostgreSQL rows differ"
    users = [e["text"] for e in stored if e["event"] == "user"]
    assert users[0] == BOOKING[0][0] and users[-1] == "oui" and len(users) == len(BOOKING)


async def web_chat_polling(base: str, session: str, messages: list[str]) -> list[str]:
    """The widget's exchange over socket.io long polling (python-socketio's client)."""
    import asyncio

    import socketio

    client = socketio.AsyncClient()
    received: list[str] = []
    confirmed = asyncio.Event()
    client.on("bot_uttered", lambda data: received.append(data.get("text", "")))
    client.on("session_confirm", lambda _data: confirmed.set())
    await client.connect(base, transports=["polling"], socketio_path="/socket.io")
    await client.emit("session_request", {"session_id": session})
    await asyncio.wait_for(confirmed.wait(), 10)
    turns = []
    for message in messages:
        start = len(received)
        await client.emit("user_uttered", {"message": message, "session_id": session})
        deadline = time.monotonic() + 10
        while len(received) == start and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        turns.append("\n".join(received[start:]))
    await client.eio.disconnect(abort=True)
    return turns


async def web_chat_websocket(base: str, session: str, messages: list[str]) -> list[str]:
    """The same over the websocket transport, as the widget does (engine.io 4 frames by hand:
    python-engineio's websocket client does not run on this aiohttp)."""
    import asyncio

    import websockets

    url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with websockets.connect(url) as ws:

        async def event(name: str, timeout: float = 10) -> list:
            while True:
                frame = await asyncio.wait_for(ws.recv(), timeout)
                if frame == "2":  # engine.io ping
                    await ws.send("3")
                elif frame.startswith("42"):
                    payload = json.loads(frame[2:])
                    if payload[0] == name:
                        return payload

        assert (await ws.recv()).startswith("0")  # engine.io open
        await ws.send("40")  # socket.io connect
        assert (await ws.recv()).startswith("40")
        await ws.send("42" + json.dumps(["session_request", {"session_id": session}]))
        await event("session_confirm")
        turns = []
        for message in messages:
            await ws.send("42" + json.dumps(["user_uttered", {"message": message, "session_id": session}]))
            texts_ = [(await event("bot_uttered"))[1].get("text", "")]
            try:
                while True:  # a second message of the same turn
                    texts_.append((await event("bot_uttered", 0.3))[1].get("text", ""))
            except asyncio.TimeoutError:
                pass
            turns.append("\n".join(texts_))
    return turns


def socketio_sessions(run: RunProd) -> dict[str, int]:
    """Sessions each server of HAProxy's socket.io backend received (stot, statistics CSV)."""
    _status, page, _ = http("GET", run.state()["lb"]["stats"] + ";csv")
    header = page.splitlines()[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","))) for line in page.splitlines()[1:]]
    return {r["svname"]: int(r["stot"] or 0) for r in rows
            if r.get("pxname") == "rasa_socketio" and r["svname"] not in ("FRONTEND", "BACKEND")}


def test_the_web_chat_socket_stays_on_one_replica(topology: RunProd) -> None:
    """socket.io's long polling is many HTTP requests for one session: each must reach the replica
    that holds it (a request on the other replica would be refused as an unknown session)."""
    import asyncio

    before = socketio_sessions(topology)
    for chat in (web_chat_polling, web_chat_websocket):
        session = f"prod-web-{uuid.uuid4().hex[:8]}"
        turns = asyncio.run(chat(topology.lb, session, ["bonjour", "merci beaucoup"]))
        assert "Sésame" in turns[0] and "Avez-vous une autre question" in turns[1], (chat.__name__, turns)
    after = socketio_sessions(topology)
    used = [name for name in after if after[name] > before.get(name, 0)]
    assert len(used) == 1, f"socket.io requests of one client spread over {used}"


def test_a_replica_killed_mid_conversation_loses_no_event(topology: RunProd) -> None:
    sender = f"prod-kill-{uuid.uuid4().hex[:8]}"
    last: list = []
    for step in range(3):
        last, replica = booking_turn(topology, sender, step, last)
    before = tracker_rows(topology, sender)
    assert before == topology.tracker_events(sender)
    victim = "rasa" if replica == "rasa1" else "rasa2"  # the replica that served the last turn
    old_pid = topology.signal(victim, signal.SIGKILL)
    # Between two turns of the resident: the process is gone before the next one. (A turn in flight
    # at the instant of the kill gets HAProxy's 502 and is not retried: a message that may have been
    # handled is never handled twice; the channel or the resident sends it again.)
    port = topology.state()["rasa_ports"][0 if victim == "rasa" else 1]
    topology.wait(lambda: refused(port), 5, f"{victim} gone", 0.02)
    took = []
    for step in range(3, len(BOOKING)):
        began = time.monotonic()
        last, replica = booking_turn(topology, sender, step, last)
        took.append(round(time.monotonic() - began, 2))
        assert replica != ("rasa1" if victim == "rasa" else "rasa2"), "a dead replica answered"
    after = tracker_rows(topology, sender)
    assert after[:len(before)] == before, "an event stored before the kill changed or disappeared"
    users = [e["text"] for e in after if e["event"] == "user"]
    assert len(users) == len(BOOKING) and len(set(users)) == len(users), users
    assert after == topology.tracker_events(sender)
    print(f"turns after the SIGKILL took {took} s")
    # The supervisor starts the replica again; HAProxy sends it traffic once it answers.
    waited = topology.wait(lambda: topology.pid(victim) != old_pid and topology.healthy(victim), 180,
                           f"{victim} back")
    print(f"{victim} restarted and healthy {waited:.0f} s after the kill")


def actions_in_flight(run: RunProd) -> int:
    """Action calls HAProxy is forwarding at this instant (current sessions of its actions backend)."""
    _status, page, _ = http("GET", run.state()["lb"]["stats"] + ";csv", timeout=2)
    header = page.splitlines()[0].lstrip("# ").split(",")
    rows = [dict(zip(header, line.split(","))) for line in page.splitlines()[1:]]
    return sum(int(r["scur"] or 0) for r in rows if r.get("pxname") == "actions" and r["svname"] == "BACKEND")


def test_a_replica_killed_while_an_action_call_is_in_flight_loses_no_event(topology: RunProd) -> None:
    """SIGKILL in the middle of a turn: Rasa has the resident's message and is waiting for the
    action server. The action servers are paused (SIGSTOP) for the instant of the kill, so that the
    call is certainly in flight (HAProxy's statistics show it). The turn is lost as a whole (Rasa
    writes a turn at its end): nothing of it is stored or published; the resident sends the
    message again and the other replica answers it, once the dead replica's lease on the
    conversation's lock has run out (15 s at most, not the lock's 60 s lifetime)."""
    from tools.run_prod import servers_down

    sender = f"prod-midturn-{uuid.uuid4().hex[:8]}"
    last: list = []
    for step in range(3):
        last, _ = booking_turn(topology, sender, step, last)
    before = tracker_rows(topology, sender)
    assert before == topology.tracker_events(sender)
    ports = topology.state()["rasa_ports"]
    message, expected = BOOKING[3]  # the first name: a call to the booking form's validation action
    for name in ("actions", "actions2"):
        topology.signal(name, signal.SIGSTOP)
    killed_in_flight = False
    try:
        answer: dict = {}
        import threading

        turn = threading.Thread(target=lambda: answer.update(
            zip(("status", "replies"), topology.say(sender, message, timeout=30, port=ports[0])[:2])))
        turn.start()
        topology.wait(lambda: actions_in_flight(topology) >= 1, 5, "the action call in flight", 0.01)
        old_pid = topology.signal("rasa", signal.SIGKILL)
        killed_in_flight = True
        turn.join(30)
    finally:
        for name in ("actions", "actions2"):
            topology.signal(name, signal.SIGCONT)
    assert killed_in_flight
    assert answer.get("status") != 200 or not answer.get("replies"), f"a killed replica answered: {answer}"
    topology.wait(lambda: refused(ports[0]), 5, "rasa gone", 0.02)
    assert tracker_rows(topology, sender) == before, "the killed turn left events behind"
    # The resident sends the message again (a channel would too): the other replica answers it.
    began = time.monotonic()
    status, replies, replica, _ = topology.say(sender, message, timeout=60)
    resent_s = time.monotonic() - began
    assert status == 200 and expected in texts(replies) and APOLOGY not in texts(replies), (status, texts(replies))
    assert replica == "rasa2", replica
    assert resent_s < 20, f"the message sent again waited {resent_s:.1f} s for the dead replica's lock"
    last = replies
    for step in range(4, len(BOOKING)):
        last, _ = booking_turn(topology, sender, step, last)
    after = tracker_rows(topology, sender)
    assert after[:len(before)] == before, "an event stored before the kill changed or disappeared"
    users = [e["text"] for e in after if e["event"] == "user"]
    assert len(users) == len(BOOKING), f"a turn stored twice or lost: {users}"
    assert users[:2] == [BOOKING[0][0], BOOKING[1][0]] and users[3:] == [m for m, _ in BOOKING[3:]], users
    assert after == topology.tracker_events(sender)
    events = published(topology, [sender])[sender]
    assert events == after, "RabbitMQ holds other events than the tracker store (lost, doubled or from the killed turn)"
    print(f"killed with an action call in flight; the message sent again was answered in {resent_s:.1f} s")
    # The supervisor starts the replica again; the next tests find every server up, and the
    # restarted replica past its first turn (TensorFlow traces its graphs on a process's first
    # predictions: that turn is slower, and the next test measures answer times).
    waited = topology.wait(lambda: topology.pid("rasa") != old_pid and topology.healthy("rasa"), 180, "rasa back")
    stats = topology.state()["lb"]["stats"]
    topology.wait(lambda: not servers_down(stats), 60, "every server up in HAProxy")
    assert topology.say(f"prod-warm-{uuid.uuid4().hex[:6]}", "bonjour", port=ports[0])[0] == 200
    print(f"rasa restarted and healthy {waited:.0f} s after the kill")


def test_action_servers_stopped_give_the_apology_with_a_phone_within_2s(topology: RunProd) -> None:
    phone = france_services_phone()
    from tools.run_prod import servers_down

    stats = topology.state()["lb"]["stats"]
    # One action server hung: once HAProxy has marked it down (3 failed checks), the other serves.
    # Until then a call that reaches it is given up after 1.2 s: that turn gets the apology.
    topology.signal("actions", signal.SIGSTOP)
    try:
        detected = topology.wait(lambda: "actions/actions1" in servers_down(stats), 30, "actions1 marked down", 0.2)
        status, replies, _, _ = topology.say(f"prod-act-{uuid.uuid4().hex[:8]}", ASK_HUMAN)
        assert status == 200 and APOLOGY not in texts(replies), texts(replies)
        # Both hung (SIGSTOP: connections accepted, never answered), measured at once.
        topology.signal("actions2", signal.SIGSTOP)
        status, replies, _, hung_s = topology.say(f"prod-act-{uuid.uuid4().hex[:8]}", ASK_HUMAN)
        assert status == 200 and APOLOGY in texts(replies) and phone in texts(replies), texts(replies)
        assert hung_s < 2.0, f"hung action servers: the apology took {hung_s:.2f} s"
        topology.wait(lambda: "actions/actions2" in servers_down(stats), 30, "actions2 marked down", 0.2)
        # Both marked down: HAProxy answers 503 at once.
        status, replies, _, down_s = topology.say(f"prod-act-{uuid.uuid4().hex[:8]}", ASK_HUMAN)
        assert APOLOGY in texts(replies) and phone in texts(replies) and down_s < 2.0, (down_s, texts(replies))
    finally:
        for name in ("actions", "actions2"):
            topology.signal(name, signal.SIGCONT)
    topology.wait(lambda: topology.healthy("actions") and topology.healthy("actions2"), 20, "action servers back")
    # Both dead (SIGKILL), measured at once: connections refused, HAProxy answers 503.
    old = {name: topology.signal(name, signal.SIGKILL) for name in ("actions", "actions2")}
    status, replies, _, dead_s = topology.say(f"prod-act-{uuid.uuid4().hex[:8]}", ASK_HUMAN)
    assert status == 200 and APOLOGY in texts(replies) and phone in texts(replies), texts(replies)
    assert dead_s < 2.0, f"dead action servers: the apology took {dead_s:.2f} s"
    print(f"a hung action server marked down by HAProxy after {detected:.1f} s; apology after: both hung "
          f"{hung_s:.2f} s, both marked down {down_s:.2f} s, both killed {dead_s:.2f} s")
    # The supervisor restarts them; custom actions answer again with no manual step.
    topology.wait(lambda: all(topology.pid(n) != p and topology.healthy(n) for n, p in old.items()), 60,
                  "action servers restarted")
    topology.wait(lambda: not any(n.startswith("actions/") for n in servers_down(stats)), 30, "actions up in HAProxy")
    status, replies, _, _ = topology.say(f"prod-act-{uuid.uuid4().hex[:8]}", ASK_HUMAN)
    assert status == 200 and APOLOGY not in texts(replies), texts(replies)


def enqueue_message(run: RunProd, marker: str) -> int:
    from actions.common.db import session_scope
    from actions.notifications.outbox import enqueue

    now = datetime.now(timezone.utc)
    engine = make_engine(run.app_db)
    try:
        with session_scope(engine) as session:
            note = enqueue(session, dedupe_key=f"fault-{marker}", kind="test", channel="dev",
                           recipient="+33612345678", body=f"message {marker}", due_at=now, now=now)
            session.flush()
            return int(note.id)
    finally:
        engine.dispose()


def outbox_row(run: RunProd, note_id: int) -> dict:
    engine = make_engine(run.app_db)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT status, attempts FROM notifications_outbox WHERE id = :i"),
                               {"i": note_id}).one()
            return {"status": row.status, "attempts": row.attempts}
    finally:
        engine.dispose()


def deliveries(run: RunProd, marker: str) -> int:
    """How many times the message reached the (development) provider: lines of notifications.log."""
    log = run.var_dir / "notifications.log"
    if not log.exists():
        return 0
    return sum(1 for line in log.read_text().splitlines() if json.loads(line)["body"] == f"message {marker}")


def test_the_standby_worker_takes_over_and_sends_once(topology: RunProd) -> None:
    roles = topology.worker_roles()
    leader = next(name for name, role in roles.items() if role == "leader")
    standby = next(name for name, role in roles.items() if role == "standby")
    old_pid = topology.signal(leader, signal.SIGKILL)
    killed_at = time.monotonic()
    marker = uuid.uuid4().hex[:10]
    note_id = enqueue_message(topology, marker)
    took_over = topology.wait(lambda: topology.worker_roles()[standby] == "leader", 10, f"{standby} leading", 0.1)
    # Sent at the new leader's first or next pass (one every 5 s).
    topology.wait(lambda: outbox_row(topology, note_id)["status"] == "sent", 30, "sent by the new leader", 0.2)
    sent_after = time.monotonic() - killed_at
    # The killed worker comes back (supervisor) as the standby; nothing is sent again.
    topology.wait(lambda: topology.pid(leader) != old_pid and topology.worker_roles()[leader] == "standby", 60,
                  f"{leader} back as standby")
    time.sleep(6)  # more than one pass of each worker
    assert outbox_row(topology, note_id) == {"status": "sent", "attempts": 1}
    assert deliveries(topology, marker) == 1
    print(f"{standby} took over {took_over:.1f} s after the leader was killed; the message was sent after "
          f"{sent_after:.1f} s")


def outbox_left(run: RunProd, senders: list[str]) -> int:
    engine = make_engine(run.tracker_db)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM event_outbox WHERE sender_id = ANY(:s)"),
                                {"s": senders}).scalar()
    finally:
        engine.dispose()


def published(run: RunProd, senders: list[str]) -> dict[str, list[dict]]:
    """The events RabbitMQ holds for ``senders``, read as a consumer would once the outbox is
    empty: a repeat of a ``message_id`` (delivery is at least once, README) is dropped, after
    checking that it is the same event."""
    from tests.production.amqp import drain

    run.wait(lambda: outbox_left(run, senders) == 0, 30, "the outbox published", 0.2)
    got: dict[str, list[dict]] = {sender: [] for sender in senders}
    seen: dict[str, dict] = {}
    repeats = 0
    for message_id, event in drain(5672, run.queue, 0, timeout=10):
        if message_id in seen:
            assert seen[message_id] == event, f"message_id {message_id} carries two different events"
            repeats += 1
            continue
        seen[message_id] = event
        if event.get("sender_id") in got:
            got[event.pop("sender_id")].append(event)
    if repeats:
        print(f"RabbitMQ delivered {repeats} message(s) twice (same message_id), dropped as a consumer does")
    return got


def test_postgresql_restart_recovers_without_a_manual_step(topology: RunProd) -> None:
    """A booking in progress on each replica goes on where it was after PostgreSQL restarted,
    whether its next message arrives while PostgreSQL is down (it waits) or right after (every
    pooled connection of that replica is dead by then); no event lost or doubled, in the tracker
    store or in RabbitMQ."""
    import threading

    ports = topology.state()["rasa_ports"]
    during, after = (f"prod-pg-{name}-{uuid.uuid4().hex[:6]}" for name in ("during", "after"))
    for sender, port in ((during, ports[0]), (after, ports[1])):
        status, replies, _, _ = topology.say(sender, BOOKING[0][0], port=port)
        assert status == 200 and BOOKING[0][1] in texts(replies), texts(replies)
    before = {sender: tracker_rows(topology, sender) for sender in (during, after)}
    pids = dict(topology.state()["pids"])

    # Down for 2 s: a message of `during` arrives meanwhile, on the first replica.
    topology.postgres.halt()
    answer: dict = {}
    turn = threading.Thread(target=lambda: answer.update(
        zip(("status", "replies", "replica", "took"), topology.say(during, BOOKING[1][0], port=ports[0]))))
    turn.start()
    time.sleep(2)
    topology.postgres.resume()
    turn.join(30)
    # Right after: the first turn of the second replica since the restart.
    status, replies, _, _ = topology.say(after, BOOKING[1][0], port=ports[1])
    for name, (code, got) in {during: (answer.get("status"), answer.get("replies", [])),
                              after: (status, replies)}.items():
        assert code == 200 and APOLOGY not in texts(got), (name, code, texts(got))
        first_offer(got)  # the offered times: the booking went on where it was, not a new conversation
    print(f"the message sent while PostgreSQL was down was answered after {answer['took']:.1f} s")
    for sender in (during, after):
        stored = tracker_rows(topology, sender)
        assert stored[:len(before[sender])] == before[sender], "an event stored before the restart changed"
        assert [e["text"] for e in stored if e["event"] == "user"] == [BOOKING[0][0], BOOKING[1][0]], sender
        assert sum(e["event"] == "session_started" for e in stored) == 1, "the conversation started over"
        assert stored == topology.tracker_events(sender), "Rasa serves something else than PostgreSQL holds"

    began = time.monotonic()
    failures, probes = 0, []
    while True:  # new conversations too, through HAProxy
        status, replies, replica, took = topology.say(f"prod-pg-probe-{uuid.uuid4().hex[:6]}", "bonjour", timeout=10)
        probes.append((round(time.monotonic() - began, 1), status, replica, round(took, 2), texts(replies)[:40]))
        if status == 200 and "Sésame" in texts(replies) and APOLOGY not in texts(replies):
            break
        failures += 1
        assert time.monotonic() - began < 60, f"no normal answer 60 s after PostgreSQL restarted: {probes}"
        time.sleep(0.5)
    recovered_s = time.monotonic() - began
    # The action servers' database: a custom action answers.
    status, replies, _, _ = topology.say(f"prod-pg-act-{uuid.uuid4().hex[:8]}", ASK_HUMAN)
    assert status == 200 and APOLOGY not in texts(replies), texts(replies)
    # Every event of both conversations reached RabbitMQ once, in order.
    events = published(topology, [during, after])
    for sender in (during, after):
        stored = tracker_rows(topology, sender)
        assert events[sender] == stored, (sender, [e["event"] for e in events[sender]], [e["event"] for e in stored])
    # A worker leads again and sends a new message once.
    topology.wait(lambda: "leader" in topology.worker_roles().values(), 30, "a worker leading again")
    marker = uuid.uuid4().hex[:10]
    note_id = enqueue_message(topology, marker)
    topology.wait(lambda: outbox_row(topology, note_id)["status"] == "sent", 30, "sent after the restart", 0.2)
    time.sleep(6)
    assert deliveries(topology, marker) == 1
    restarted = sorted(name for name, pid in topology.state()["pids"].items() if pids.get(name) != pid)
    print(f"PostgreSQL down 2 s; new conversations answered {recovered_s:.1f} s after "
          f"({failures} turn(s) without a normal answer); processes restarted by the supervisor: {restarted or 'none'}")
