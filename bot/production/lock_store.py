"""A Redis ticket lock whose every change is one atomic Redis step.

Why: Rasa 3.6's ``RedisLockStore`` issues a ticket by reading the lock (GET), adding a ticket in
Python and writing it back (SET). Two replicas that read at the same time both get ticket 0 and
both run a turn of the same conversation at once (rasa issue #9213); its ``cleanup`` can also
delete a ticket issued between its "is someone waiting?" and its DEL.
``tests/production/test_lock_store.py`` shows both stores under the same multi-process race.

Here, per conversation, a Redis hash maps ticket number → expiry (Redis server time, so replicas'
clocks do not matter) and every operation is one Lua script (Redis runs a script atomically):

- issue: ``INCR`` of one counter gives the ticket number, then the ticket is added;
- acquire: expired tickets are dropped, and the caller enters only if its ticket is the lowest
  left (first come, first served);
- release: the ticket is removed, and the hash deleted when it was the last, in the same step.

A holder that crashed never releases. Rasa gives each ticket the whole lock lifetime
(``TICKET_LOCK_LIFETIME``, 60 s), so a replica killed in the middle of a turn would make the
resident's next message, on the other replica, wait a minute. Here a ticket is a lease
(``lease_seconds``, 15 s) that its process renews every fifth of it while the turn waits or
runs, up to the lock lifetime as before: a killed holder's ticket expires within the lease and
the next ticket is served. A live holder whose event loop stalls longer than the lease minus one
renewal (12 s) could lose its ticket: the lease is a setting for that reason.

If Redis loses its data (a restart without persistence): the counter is gone, so the first
ticket issued afterwards re-creates it above every number issued before, and starts a new
"epoch". A ticket issued before the loss is gone too: its turn fails with ``LockError`` before
it is processed (the channel reports an error; nothing ran, nothing ran twice). A holder that
was running keeps running, so when the process re-creating the counter had seen an older epoch
(a loss, not a first start) new tickets are served only ``restart_grace_seconds`` later (10 s by
default; set it above the longest turn), never alongside that holder. Not covered: a replica
started after the loss being the first to take a ticket, while a turn of the same conversation
still runs elsewhere (it cannot know there was a loss).
Run Redis with ``appendonly yes`` and ``maxmemory-policy noeviction`` and a restart keeps the
tickets: waiters are then served in order as if nothing happened.

Use from endpoints.yml::

    lock_store:
      type: bot.production.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}
      port: ${REDIS_PORT}
      db: ${REDIS_DB}
      password_env: REDIS_PASSWORD   # the variable holding the password (read at start)
      key_prefix: sesame

The password never sits in the file: ``password_env`` names the environment variable it is read
from (``password: ${REDIS_PASSWORD}`` works too, but Rasa then refuses to read the whole file
when the variable is unset, which a Redis without ``requirepass`` does not need). There is no
default password. A password Redis refuses (or none where it wants one) fails the turn at once
with a ``LockError`` naming the variable; it is not mistaken for Redis being down.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import deque
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, List, Optional

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import (
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    LOCK_LIFETIME,
    LockError,
    LockStore,
)
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_KEY_PREFIX = "atomiclock"
DEFAULT_WAIT_SECONDS = 0.05
DEFAULT_RESTART_GRACE_SECONDS = 10.0
DEFAULT_LEASE_SECONDS = 15.0
RENEWALS_PER_LEASE = 5

# Every script reads the clock with TIME (milliseconds): one clock for all replicas.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: tickets hash, global counter, epoch key, grace key.
# ARGV: lifetime (ms), the epoch this process saw last ('' if none).
# Returns {ticket number, epoch}. Numbers are written with %d: Lua's default number
# formatting loses digits above 1e14.
_ISSUE = _NOW + """
local lifetime = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 0 then
  -- first start, or Redis lost its data: number above anything issued before
  redis.call('SET', KEYS[2], string.format('%d', now * 1000))
  redis.call('SET', KEYS[3], string.format('%d', now))
  if ARGV[2] ~= '' then
    -- this process saw an older epoch: data was lost, a holder may still run somewhere
    redis.call('SET', KEYS[4], string.format('%d', now))
  end
end
local number = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], string.format('%d', number), string.format('%d', now + lifetime))
if redis.call('PTTL', KEYS[1]) < lifetime then
  redis.call('PEXPIRE', KEYS[1], lifetime)
end
return {number, redis.call('GET', KEYS[3])}
"""

# Drop expired tickets of KEYS[1]; sets `live` (number -> remaining ms), `lowest`, `count`.
_PURGE = """
local fields = redis.call('HGETALL', KEYS[1])
local live = {}
local lowest = nil
local count = 0
for i = 1, #fields, 2 do
  local number = tonumber(fields[i])
  local expires = tonumber(fields[i + 1])
  if expires <= now then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    live[#live + 1] = fields[i]
    live[#live + 1] = string.format('%d', expires - now)
    count = count + 1
    if lowest == nil or number < lowest then lowest = number end
  end
end
if count == 0 then redis.call('DEL', KEYS[1]) end
"""

# KEYS: tickets hash, grace key. ARGV: ticket, grace (ms).
# Returns {1} entered, {0, ms to wait at least} not yet, {-1} the ticket is gone.
_ACQUIRE = _NOW + _PURGE + """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return {-1} end
if lowest ~= tonumber(ARGV[1]) then return {0, 0} end
local since = now - tonumber(redis.call('GET', KEYS[2]) or '0')
local grace = tonumber(ARGV[2])
if since < grace then return {0, grace - since} end
return {1}
"""

# KEYS: tickets hash. ARGV: ticket. Returns {was the ticket there (0/1), tickets left}.
_RELEASE = _NOW + """
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
""" + _PURGE + """
return {removed, count}
"""

# KEYS: tickets hash. ARGV: ticket, new remaining lifetime (ms). Returns 1 renewed, 0 gone or
# already expired (never brought back: a waiter may have been served in its place).
_RENEW = _NOW + """
local expires = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if expires <= now then return 0 end
local extended = now + tonumber(ARGV[2])
if extended > expires then
  redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', extended))
end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
"""

# KEYS: tickets hash. Returns {number, remaining ms, ...} of the live tickets.
_PEEK = _NOW + _PURGE + """
return live
"""


class AtomicRedisLockStore(LockStore):
    """Rasa's ticket lock on Redis, each step one atomic script (see the module docstring)."""

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        *,
        host: Optional[str] = None,
        port: Any = 6379,
        db: Any = 1,
        username: Optional[str] = None,
        password: Optional[str] = None,
        use_ssl: Any = False,
        key_prefix: Optional[str] = None,
        socket_timeout: Any = DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
        wait_time_in_seconds: Any = DEFAULT_WAIT_SECONDS,
        restart_grace_seconds: Any = DEFAULT_RESTART_GRACE_SECONDS,
        lease_seconds: Any = DEFAULT_LEASE_SECONDS,
    ) -> None:
        """Rasa calls it with ``endpoint_config`` (url, port, db, … from endpoints.yml);
        tests may pass the same values as keywords. Values from the environment arrive as text."""
        settings: dict[str, Any] = {}
        if endpoint_config is not None:
            settings.update(endpoint_config.kwargs)
            if endpoint_config.url:
                settings.setdefault("host", endpoint_config.url)
        host = settings.get("host", host) or "localhost"
        port = settings.get("port", port)
        db = settings.get("db", db)
        username = settings.get("username", username) or None
        password = settings.get("password", password) or None
        password_env = settings.get("password_env") or None
        if password_env:
            if password:
                raise ValueError("lock store: give `password_env` or `password`, not both")
            password = os.environ.get(str(password_env)) or None
        self._password_hint = (f"the password in {password_env}" if password_env
                               else "the lock store's password")
        use_ssl = str(settings.get("use_ssl", use_ssl)).lower() in {"1", "true", "yes"}
        key_prefix = settings.get("key_prefix", key_prefix) or DEFAULT_KEY_PREFIX
        socket_timeout = float(settings.get("socket_timeout", socket_timeout))
        self.wait_time_in_seconds = float(settings.get("wait_time_in_seconds", wait_time_in_seconds))
        self.restart_grace_seconds = float(settings.get("restart_grace_seconds", restart_grace_seconds))
        self.lease_seconds = float(settings.get("lease_seconds", lease_seconds))
        if self.lease_seconds <= 0:
            raise ValueError("lease_seconds must be more than 0")
        if not str(key_prefix).replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"key_prefix must be alphanumeric (with - or _), got {key_prefix!r}")

        self.red = redis.Redis(
            host=host, port=int(port or 6379), db=int(db or 0), username=username, password=password,
            ssl=use_ssl, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout,
            health_check_interval=5,
        )
        self.key_prefix = f"{key_prefix}:lock:"
        self._counter_key = f"{self.key_prefix}counter"
        self._epoch_key = f"{self.key_prefix}epoch"
        self._grace_key = f"{self.key_prefix}loss"
        self._epoch_seen = ""  # the epoch of this process's last ticket
        # register_script sends EVALSHA and reloads the script after NOSCRIPT (a restarted Redis).
        self._issue = self.red.register_script(_ISSUE)
        self._acquire = self.red.register_script(_ACQUIRE)
        self._release = self.red.register_script(_RELEASE)
        self._renew = self.red.register_script(_RENEW)
        self._peek = self.red.register_script(_PEEK)
        super().__init__()

    def _tickets_key(self, conversation_id: str) -> str:
        return f"{self.key_prefix}{conversation_id}:tickets"

    # -- Rasa's LockStore interface ------------------------------------------------------------

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: Optional[float] = None,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ``lock`` (issue, wait, clean up), polling every ``wait_time_in_seconds``
        (0.05 s by default; Rasa polls every second, one second lost per queued turn)."""
        wait = self.wait_time_in_seconds if wait_time_in_seconds is None else wait_time_in_seconds
        lease = min(float(lock_lifetime), self.lease_seconds)
        ticket = self.issue_ticket(conversation_id, lease)
        keeper = asyncio.ensure_future(self._keep_alive(conversation_id, ticket, lease, float(lock_lifetime)))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait)
        finally:
            keeper.cancel()
            self.cleanup(conversation_id, ticket)

    async def _keep_alive(self, conversation_id: str, ticket: int, lease: float, lifetime: float) -> None:
        """Renew the ticket's lease while this process lives, up to the lock's lifetime."""
        began = time.monotonic()
        key = self._tickets_key(conversation_id)
        while True:
            await asyncio.sleep(lease / RENEWALS_PER_LEASE)
            remaining = lifetime - (time.monotonic() - began)
            if remaining <= 0:
                return  # a turn longer than the lock's lifetime: its ticket runs out, as in Rasa
            try:
                if not self._renew(keys=[key], args=[ticket, int(min(lease, remaining) * 1000)]):
                    return
            except redis.RedisError as error:  # Redis down: try again; with persistence the ticket is back
                logger.warning("lock store: could not renew a conversation lock: %s", error)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """One atomic INCR-and-add: two replicas never get the same ticket."""
        keys = [self._tickets_key(conversation_id), self._counter_key, self._epoch_key, self._grace_key]
        try:
            number, epoch = self._issue(keys=keys, args=[int(lock_lifetime * 1000), self._epoch_seen])
        except redis.AuthenticationError as error:
            raise self._refused(error) from error
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        epoch = epoch.decode() if isinstance(epoch, bytes) else str(epoch)
        if self._epoch_seen and epoch != self._epoch_seen:
            logger.warning("lock store: Redis lost its data (new epoch); new turns wait %.1f s",
                           self.restart_grace_seconds)
        self._epoch_seen = epoch
        return int(number)

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        """Wait until ``ticket`` is the lowest live ticket; fail if it is gone (expired, or lost
        with Redis's data). Redis unreachable for a while: keep trying until the ticket's lifetime
        is over (with persistence, Redis comes back with the tickets)."""
        deadline = time.monotonic() + LOCK_LIFETIME
        keys = [self._tickets_key(conversation_id), self._grace_key]
        grace = int(self.restart_grace_seconds * 1000)
        while True:
            try:
                status, *rest = self._acquire(keys=keys, args=[ticket, grace])
            except redis.AuthenticationError as error:  # a ConnectionError to redis-py: not worth waiting
                raise self._refused(error) from error
            except redis.ConnectionError as error:
                if time.monotonic() > deadline:
                    raise LockError(f"Redis unreachable while waiting for the lock: {error}") from error
                logger.warning("lock store: Redis unreachable while waiting for conversation lock (%s)", error)
                await asyncio.sleep(max(wait_time_in_seconds, 0.2))
                continue
            except redis.RedisError as error:
                raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
            if status == 1:
                return self.get_lock(conversation_id) or TicketLock(conversation_id)
            if status == -1:
                raise LockError(
                    f"Could not acquire lock for conversation_id '{conversation_id}': its ticket expired or "
                    f"was lost (Redis restarted without its data?). The turn was not processed."
                )
            await asyncio.sleep(max(wait_time_in_seconds, (rest[0] if rest else 0) / 1000))

    def _refused(self, error: redis.AuthenticationError) -> LockError:
        logger.error("lock store: Redis refused the connection (%s): check %s", error, self._password_hint)
        return LockError(f"Redis refused the lock store's login ({error}): check {self._password_hint}")

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket (and the lock when it was the last) in one step.

        Never raises: the turn has run and its events are written; an error here would make the
        channel report a failure and the resident send the message again. A ticket that cannot be
        removed (Redis down) expires on its own."""
        try:
            removed, _left = self._release(keys=[self._tickets_key(conversation_id)], args=[ticket_number])
        except redis.RedisError as error:
            logger.warning("lock store: could not release a conversation lock (it will expire): %s", error)
            return
        if not removed:
            logger.warning("lock store: a ticket was gone when its turn ended (expired, or Redis lost its data)")

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Same as ``cleanup``: removing a ticket and deleting an empty lock are one step here."""
        self.cleanup(conversation_id, ticket_number)

    def get_lock(self, conversation_id: str) -> Optional[TicketLock]:
        """The live tickets, their expiry translated to this machine's clock."""
        flat: List[bytes] = self._peek(keys=[self._tickets_key(conversation_id)])
        if not flat:
            return None
        now = time.time()
        tickets = sorted(
            (Ticket(int(flat[i]), now + int(flat[i + 1]) / 1000) for i in range(0, len(flat), 2)),
            key=lambda ticket: ticket.number,
        )
        return TicketLock(conversation_id, deque(tickets))

    def is_someone_waiting(self, conversation_id: str) -> bool:
        return bool(self._peek(keys=[self._tickets_key(conversation_id)]))

    def update_lock(self, conversation_id: str) -> None:
        """Nothing to do: every script drops expired tickets itself."""

    def delete_lock(self, conversation_id: str) -> None:
        deleted = self.red.delete(self._tickets_key(conversation_id))
        self._log_deletion(conversation_id, bool(deleted))

    def save_lock(self, lock: TicketLock) -> None:
        """Replace a conversation's tickets (not used by Rasa's flow here; kept for the interface),
        in one MULTI/EXEC transaction."""
        key = self._tickets_key(lock.conversation_id)
        now = time.time()
        live = [ticket for ticket in lock.tickets if ticket.expires > now]
        with self.red.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            if live:
                pipe.hset(key, mapping={str(t.number): str(int(self._server_ms() + (t.expires - now) * 1000))
                                        for t in live})
                pipe.pexpire(key, int(max(t.expires - now for t in live) * 1000) + 1)
            pipe.execute()

    def _server_ms(self) -> int:
        seconds, micros = self.red.time()
        return seconds * 1000 + micros // 1000

    def close(self) -> None:
        self.red.close()
