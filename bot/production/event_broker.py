"""An event broker that loses no event: PostgreSQL outbox first, RabbitMQ with confirms after.

Why: Rasa 3.6's ``PikaEventBroker`` keeps the events it could not publish in a Python deque: a
replica that dies, or restarts while RabbitMQ is down, loses them, and nothing tells RabbitMQ's
acknowledgement apart from a message that never arrived (no publisher confirms).

Here ``publish`` (called by the tracker store for each new event, on Rasa's event loop) only
inserts the event into the ``event_outbox`` table and commits: one small local transaction, so a
turn never waits for RabbitMQ, whether it is down, slow or unreachable. The table lives in the
tracker store's PostgreSQL database: the one durable store every replica already shares and
needs to answer at all (when it is down no turn is answered, so no event is produced). Redis is
not durable by default and RabbitMQ is the thing that may be down; a local file would die with
the replica's container.

A background thread per replica publishes the outbox. One replica at a time does it: the one
holding a PostgreSQL advisory lock (its session ends with the process, so when a replica dies
another takes over within a second, and a replica starting up publishes what a dead one left).
It reads rows in ``id`` order, publishes each as a persistent message with publisher confirms
(``confirm_delivery``, ``mandatory``), and deletes a row only once RabbitMQ confirmed it. A
conversation's events are inserted one after another by the replica holding its lock, so
publishing in ``id`` order keeps each conversation's order. When RabbitMQ is down it retries
every ``retry_delay`` seconds and carries on where it stopped.

Delivery is at least once: a crash between RabbitMQ's confirm and the DELETE publishes that row
again. Each message carries ``message_id`` = the outbox row id, for consumers to drop repeats.
PostgreSQL going away between the confirm and the DELETE is not a crash: the replica keeps the
confirmed ids and deletes them first when PostgreSQL is back (another replica that took over the
publishing in that moment may still publish them again).

Retention: a row lives until it is published (normally well under a second). Rows that could
not be published for ``SESAME_RETENTION_CONVERSATIONS_DAYS`` days (30) are deleted anyway, with
an error in the log: the conversation itself is gone by then.

Use from endpoints.yml::

    event_broker:
      type: bot.production.event_broker.DurableEventBroker
      url: ${RABBITMQ_HOST}
      port: ${RABBITMQ_PORT}
      username: ${RABBITMQ_USER}
      password: ${RABBITMQ_PASSWORD}
      queues:
        - ${RABBITMQ_QUEUE}
      outbox:               # the tracker store's database (or outbox_url: postgresql://...)
        host: ${POSTGRES_HOST}
        port: ${POSTGRES_PORT}
        db: ${POSTGRES_DB}
        username: ${POSTGRES_USER}
        password: ${POSTGRES_PASSWORD}
"""
from __future__ import annotations

import json
import logging
import os
import select
import threading
import time
import zlib
from asyncio import AbstractEventLoop
from collections import deque
from typing import Any, Deque, Dict, List, Optional, Sequence, Text, Tuple, Union

import pika
import psycopg2
import sqlalchemy as sa
from pika.exceptions import AMQPError
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)
# pika logs every connection step at INFO (Rasa runs at INFO): only its warnings are kept.
logging.getLogger("pika").setLevel(logging.WARNING)

DEFAULT_EXCHANGE = "rasa-exchange"  # Rasa's, so existing consumers and queues keep working
DEFAULT_QUEUE = "rasa_core_events"
DEFAULT_TABLE = "event_outbox"
DAY = 86_400


def outbox_table(name: str = DEFAULT_TABLE, metadata: Optional[sa.MetaData] = None) -> sa.Table:
    """One row per event not yet confirmed by RabbitMQ."""
    return sa.Table(
        name, metadata or sa.MetaData(),
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),  # the publishing order
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("data", sa.Text, nullable=False),  # the event as Rasa publishes it (JSON)
        sa.Column("created_at", sa.Float, nullable=False, index=True),  # time.time(), for retention
    )


def retention_days() -> int:
    """The conversations' retention (same variables as actions/common/settings.py)."""
    value = os.environ.get("SESAME_RETENTION_CONVERSATIONS_DAYS") or os.environ.get(
        "SESAME_CONVERSATION_RETENTION_DAYS") or "30"
    return max(1, int(value))


def _outbox_url(outbox: Union[str, Dict[str, Any], None], outbox_url: Optional[str]) -> sa.engine.URL:
    if outbox_url:
        url = sa.engine.make_url(outbox_url)
    elif isinstance(outbox, str):
        url = sa.engine.make_url(outbox)
    elif isinstance(outbox, dict):
        url = sa.engine.URL.create(
            "postgresql+psycopg2", username=outbox.get("username") or None,
            password=outbox.get("password") or None, host=outbox.get("host") or "localhost",
            port=int(outbox.get("port") or 5432), database=outbox.get("db") or "rasa")
    else:
        raise ValueError("DurableEventBroker needs `outbox` (host, port, db, username, password) or `outbox_url`")
    if url.get_backend_name() != "postgresql":
        raise ValueError("the event outbox needs PostgreSQL (advisory locks elect the publishing replica)")
    return url


class DurableEventBroker(EventBroker):
    """Rasa's event broker interface; events go to a PostgreSQL outbox, then to RabbitMQ."""

    def __init__(
        self,
        host: Text = "localhost",
        username: Optional[Text] = None,
        password: Optional[Text] = None,
        port: Union[int, Text] = 5672,
        queues: Union[List[Text], Tuple[Text, ...], Text, None] = None,
        exchange_name: Text = DEFAULT_EXCHANGE,
        outbox: Union[str, Dict[str, Any], None] = None,
        outbox_url: Optional[str] = None,
        outbox_table_name: str = DEFAULT_TABLE,
        retry_delay: Union[float, Text] = 1.0,
        poll_interval: Union[float, Text] = 1.0,
        batch_size: Union[int, Text] = 200,
        socket_timeout: Union[float, Text] = 3.0,
        **_ignored: Any,
    ) -> None:
        """Nothing is connected yet: ``start`` does it (``from_endpoint_config`` calls it)."""
        super().__init__()
        if not host.startswith("amqp") and (not username or password is None):
            # No default login (Rasa's PikaEventBroker falls back to guest/guest).
            raise ValueError("DurableEventBroker needs `username` and `password` (RABBITMQ_USER, RABBITMQ_PASSWORD)")
        self.host = host
        self.port = int(port or 5672)
        self.username = username or ""
        self.password = password or ""
        if isinstance(queues, str):
            queues = [queues]
        self.queues: List[str] = [q for q in (queues or [DEFAULT_QUEUE]) if q]
        self.exchange_name = exchange_name
        self.retry_delay = float(retry_delay)
        self.poll_interval = float(poll_interval)
        self.batch_size = int(batch_size)
        self.socket_timeout = float(socket_timeout)
        self.url = _outbox_url(outbox, outbox_url)
        # connect_timeout: ``publish`` runs on Rasa's event loop; an unreachable host must not hold it.
        self.engine = sa.create_engine(self.url, future=True, pool_pre_ping=True,
                                       connect_args={"connect_timeout": 3})
        self.table = outbox_table(outbox_table_name)
        self._insert = self.table.insert()
        self._channel_name = f"{outbox_table_name}_new"
        self._notify = sa.text("SELECT pg_notify(:channel, '')").bindparams(channel=self._channel_name)
        # Advisory lock key: one publisher per outbox table and database.
        self._leader_key = zlib.crc32(f"sesame:{outbox_table_name}".encode())
        # Events that could not even be written (PostgreSQL unreachable): kept in order, written first.
        self._unwritten: Deque[Tuple[str, str, float]] = deque()
        self._unwritten_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._leader: Optional[Any] = None  # psycopg2 connection holding the advisory lock
        self._amqp: Optional[pika.BlockingConnection] = None
        self._channel: Optional[Any] = None
        self._last_purge = 0.0
        # Rows RabbitMQ confirmed whose DELETE failed (PostgreSQL went away in between): deleted
        # first when it is back, never published again by this replica.
        self._confirmed: List[int] = []
        self.published = 0  # rows confirmed by RabbitMQ, for tests and logs

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: Optional[EndpointConfig], event_loop: Optional[AbstractEventLoop] = None
    ) -> Optional["DurableEventBroker"]:
        """Rasa's factory: ``url`` is the RabbitMQ host, the other keys are keyword arguments."""
        if broker_config is None:
            return None
        broker = cls(broker_config.url or "localhost", **broker_config.kwargs)
        broker.start()
        return broker

    # -- writing (Rasa's event loop) -------------------------------------------------------------

    def start(self) -> "DurableEventBroker":
        """Create the table if needed and start the publishing thread."""
        for attempt in range(3):
            try:
                self.table.metadata.create_all(self.engine, checkfirst=True)
                break
            except sa.exc.IntegrityError:  # another replica created it at the same moment
                if attempt == 2:
                    raise
            except sa.exc.ProgrammingError as error:
                if "already exists" not in str(error) or attempt == 2:
                    raise
        self._thread = threading.Thread(target=self._run, name="event-outbox", daemon=True)
        self._thread.start()
        return self

    def publish(self, event: Dict[Text, Any], headers: Optional[Dict[Text, Text]] = None) -> None:
        """Write the event to the outbox (one short transaction); never waits for RabbitMQ."""
        row = (str(event.get("sender_id", "")), json.dumps(event), time.time())
        with self._unwritten_lock:
            if not self._unwritten and self._write([row]):
                return
            self._unwritten.append(row)
        logger.error("event outbox: PostgreSQL unreachable, %d event(s) kept in memory until it is back",
                     len(self._unwritten))

    def _write(self, rows: Sequence[Tuple[str, str, float]]) -> bool:
        try:
            with self.engine.begin() as connection:
                connection.execute(self._insert, [{"sender_id": s, "data": d, "created_at": c} for s, d, c in rows])
                connection.execute(self._notify)  # wakes the publishing replica at once
            return True
        except sa.exc.SQLAlchemyError as error:
            logger.warning("event outbox: could not write an event: %s", error.__class__.__name__)
            return False

    def _write_unwritten(self) -> None:
        with self._unwritten_lock:
            if self._unwritten and self._write(list(self._unwritten)):
                self._unwritten.clear()

    def is_ready(self) -> bool:
        """Ready when the outbox is reachable: RabbitMQ being down does not stop the service."""
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    async def close(self) -> None:
        """Stop publishing; what is left stays in the outbox for the next publisher."""
        self.stop()

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._drop_leadership()
        self._close_amqp()
        self.engine.dispose()

    # -- publishing (background thread) ----------------------------------------------------------

    @property
    def is_leader(self) -> bool:
        return self._leader is not None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._write_unwritten()
                self._delete_confirmed()
                if not self._lead():
                    self._stop.wait(self.poll_interval)
                    continue
                self._purge_expired()
                if self._publish_batch() == 0:
                    self._wait_for_new_rows()
            except AMQPError as error:
                logger.warning("event outbox: RabbitMQ unavailable (%s), retrying in %.0f s",
                               error.__class__.__name__, self.retry_delay)
                self._close_amqp()
                self._stop.wait(self.retry_delay)
            except (psycopg2.Error, sa.exc.SQLAlchemyError, OSError) as error:
                logger.warning("event outbox: PostgreSQL unavailable (%s), retrying in %.0f s",
                               error.__class__.__name__, self.retry_delay)
                self._drop_leadership()
                self._stop.wait(self.retry_delay)
            except Exception:  # never let the thread die: events would wait for a restart
                logger.exception("event outbox: unexpected error, retrying")
                self._drop_leadership()
                self._close_amqp()
                self._stop.wait(self.retry_delay)

    def _lead(self) -> bool:
        """Hold (or try to take) the advisory lock that makes this replica the publisher."""
        if self._leader is not None:
            return True
        connection = psycopg2.connect(
            host=self.url.host, port=self.url.port or 5432, dbname=self.url.database,
            user=self.url.username, password=self.url.password or "", connect_timeout=5,
            # a dead peer (network cut) is noticed, and the lock released, in about 20 s
            keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=2,
            application_name="sesame-event-outbox")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", (self._leader_key,))
            if not cursor.fetchone()[0]:
                connection.close()
                return False
            cursor.execute(f'LISTEN "{self._channel_name}"')
        self._leader = connection
        logger.info("event outbox: this replica publishes the outbox")
        return True

    def _drop_leadership(self) -> None:
        if self._leader is not None:
            try:
                self._leader.close()  # ends the session: the advisory lock goes with it
            except psycopg2.Error:
                pass
            self._leader = None

    def _wait_for_new_rows(self) -> None:
        """Sleep until a NOTIFY (a row was written, by any replica) or ``poll_interval``."""
        leader = self._leader
        if leader is None:
            return
        readable, _, _ = select.select([leader], [], [], self.poll_interval)
        if readable:
            leader.poll()
            leader.notifies.clear()

    def _publish_batch(self) -> int:
        """Publish the oldest rows in order, delete them once RabbitMQ confirmed them."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(self.table.c.id, self.table.c.data).order_by(self.table.c.id).limit(self.batch_size)
            ).all()
        if not rows:
            return 0
        channel = self._open_channel()
        done: List[int] = []
        try:
            for row_id, data in rows:
                if self._stop.is_set():
                    break
                # confirm_delivery: returns once RabbitMQ confirmed; raises on nack or unroutable.
                channel.basic_publish(
                    exchange=self.exchange_name, routing_key="", body=data.encode("utf-8"), mandatory=True,
                    properties=pika.BasicProperties(
                        delivery_mode=pika.DeliveryMode.Persistent, content_type="application/json",
                        message_id=str(row_id), app_id=os.environ.get("RASA_ENVIRONMENT")),
                )
                done.append(row_id)
        finally:
            if done:
                self._confirmed.extend(done)
                self.published += len(done)
                self._delete_confirmed()
        return len(done)

    def _delete_confirmed(self) -> None:
        """Delete the rows RabbitMQ confirmed (raises while PostgreSQL is unreachable: kept for later)."""
        if self._confirmed:
            with self.engine.begin() as connection:
                connection.execute(self.table.delete().where(self.table.c.id.in_(self._confirmed)))
            self._confirmed.clear()

    def _open_channel(self) -> Any:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self._close_amqp()
        if self.host.startswith("amqp"):
            parameters: pika.connection.Parameters = pika.URLParameters(self.host)
        else:
            parameters = pika.ConnectionParameters(
                host=self.host, port=self.port, credentials=pika.PlainCredentials(self.username, self.password),
                connection_attempts=1, socket_timeout=self.socket_timeout, stack_timeout=self.socket_timeout * 2,
                blocked_connection_timeout=self.socket_timeout * 3, heartbeat=10)
        self._amqp = pika.BlockingConnection(parameters)
        channel = self._amqp.channel()
        # As Rasa's PikaEventBroker: a fanout exchange (not durable: declared again on every
        # connection), durable queues bound to it.
        channel.exchange_declare(self.exchange_name, exchange_type="fanout", durable=False)
        for queue in self.queues:
            channel.queue_declare(queue, durable=True)
            channel.queue_bind(queue, self.exchange_name, routing_key="")
        channel.confirm_delivery()
        self._channel = channel
        logger.info("event outbox: connected to RabbitMQ")
        return channel

    def _close_amqp(self) -> None:
        connection, self._amqp, self._channel = self._amqp, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except Exception:  # already broken: nothing to close cleanly
                pass

    def _purge_expired(self) -> None:
        """Once an hour: drop rows older than the conversations' retention (never published)."""
        if time.monotonic() - self._last_purge < 3600:
            return
        self._last_purge = time.monotonic()
        cutoff = time.time() - retention_days() * DAY
        with self.engine.begin() as connection:
            dropped = connection.execute(self.table.delete().where(self.table.c.created_at < cutoff)).rowcount
        if dropped:
            logger.error("event outbox: %d event(s) never published within the retention were deleted", dropped)

    def pending(self) -> int:
        """Rows not yet confirmed by RabbitMQ (tests, monitoring)."""
        with self.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(self.table)).scalar_one()
