"""How long Rasa waits for the action server: ``SESAME_ACTION_TIMEOUT`` seconds per call.

Rasa 3.6's ``RemoteAction.run`` waits up to ``DEFAULT_REQUEST_TIMEOUT`` (300 s) for the
action server. An action server that hangs (stopped, overloaded, a dead peer behind a
load balancer) then leaves the resident with nothing for five minutes. With the variable
set, each call to the action server gives up after that many seconds: Rasa's own error
path runs (the action's events are dropped, "Encountered an exception while running
action"), and the channel's guard (bot/channels/guard.py) sends the apology with a
person to contact. Unset (``make run``), Rasa's 300 s stay.

One turn may call the action server several times (after a failed action Rasa predicts the
next one, often another custom action): each would wait again. So once a call of a
conversation timed out or could not reach the action server, the next calls *of that
conversation* in the following ``timeout`` seconds fail at once, without waiting: the turn
ends with one wait, not several. Other conversations are not affected, and the resident's
next message tries the action server again.

``make run-prod`` sets 1.2 s: the apology reaches the resident within 2 s
(tests/production/test_faults_topology.py measures it, with the action servers hung and dead).
The price: a real action takes about 20 ms alone, but when the machine is overloaded (64
conversations at once on 2 cores) some calls take longer than 1.2 s and those turns get the
apology too (`make bench-prod` counts them: ``failed_action_calls``, docs/benchmarks.md).
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any, Dict, Mapping, Optional

WRITTEN_FOR = {"rasa": "3.6.21"}  # the versions this patch was written and tested against

ENV = "SESAME_ACTION_TIMEOUT"
logger = logging.getLogger(__name__)
_failed_until: Dict[str, float] = {}  # conversation id → until when its calls fail at once
_installed: Dict[str, Any] = {}


class ActionServerUnavailable(Exception):
    """The action server failed this conversation a moment ago: not called again in this turn."""


def timeout_from(env: Mapping[str, str]) -> Optional[float]:
    """The configured timeout in seconds, or None (Rasa's default). A bad value is an error."""
    raw = env.get(ENV, "").strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"{ENV} must be a number of seconds, not {raw!r}") from None
    if not 0 < seconds <= 300:
        raise ValueError(f"{ENV} must be more than 0 and at most 300 seconds, not {raw!r}")
    return seconds


def install(env: Mapping[str, str] = os.environ) -> Optional[float]:
    """Bound RemoteAction's wait for the action server (it reads this module-level name on each call)."""
    seconds = timeout_from(env)
    if seconds is None:
        return None
    from rasa.core.actions import action

    action.DEFAULT_REQUEST_TIMEOUT = seconds  # type: ignore[assignment]
    if "run" not in _installed:
        _installed["run"] = action.RemoteAction.run
        action.RemoteAction.run = _failing_fast  # type: ignore[method-assign]
    _installed["window"] = seconds
    logger.info("calls to the action server time out after %g s (%s)", seconds, ENV)
    return seconds


async def _failing_fast(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
    """RemoteAction.run, failing at once while this conversation's last call failed a moment ago."""
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.exceptions import RasaException

    sender = tracker.sender_id
    now = time.monotonic()
    if _failed_until.get(sender, 0.0) > now:
        raise ActionServerUnavailable(f"action server failed this conversation a moment ago; {self.name()} not called")
    try:
        return await _installed["run"](self, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise  # the action answered: it refused, the policies choose another one
    except (asyncio.TimeoutError, RasaException):
        if len(_failed_until) > 10_000:  # forget the windows that are over
            for key in [k for k, until in _failed_until.items() if until <= now]:
                del _failed_until[key]
        _failed_until[sender] = time.monotonic() + _installed["window"]
        raise
