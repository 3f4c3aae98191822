"""The cached event lookup answers exactly as Rasa's own, for every event type."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.utils.common import all_subclasses

names = sorted({cls.type_name for cls in all_subclasses(Event)})

def answers():
    out = {name: Event.resolve_by_type(name).__name__ for name in names}
    out["topic"] = repr(Event.resolve_by_type("topic"))
    out["unknown-with-default"] = Event.resolve_by_type("nope", SlotSet).__name__
    try:
        Event.resolve_by_type("nope")
        out["unknown"] = "no error"
    except ValueError as error:
        out["unknown"] = "ValueError"
    return out

before = answers()
from bot.patches.event_lookup import cached_event_lookup
cached_event_lookup()
first, second = answers(), answers()
events = [Event.from_parameters(p).as_dict() for p in (
    {"event": "action", "name": "action_listen"}, {"event": "slot", "name": "guide_page", "value": 1.0})]
print(json.dumps({"names": len(names), "same": before == first == second, "events": events}))
"""


def test_cached_lookup_gives_rasas_answers_every_time() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    import json

    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["names"] >= 20
    assert result["same"] is True
    assert [e["event"] for e in result["events"]] == ["action", "slot"]
    assert result["events"][1]["value"] == 1.0
