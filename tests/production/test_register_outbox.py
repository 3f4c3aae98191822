"""The event outbox (a table of the tracker database, created by the production event broker)
is in the personal-data register, column by column, with a nature and an explained rule.

tests/privacy/test_register.py checks the app models, Rasa's ``events`` and the migrated
databases; this table exists only where the broker started, so it has its own table in the
register (header "Colonne (production)") and this test compares it with the real table.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from bot.production.event_broker import DurableEventBroker
from tests.privacy.test_register import NATURES, REGISTER, markdown_tables

pytestmark = [pytest.mark.production]

HEADER = "Colonne (production)"


def registered_rows() -> list[list[str]]:
    tables = [t for t in markdown_tables(REGISTER.read_text(encoding="utf-8")) if t[0][0] == HEADER]
    return [row for table in tables for row in table[1:]]


def test_the_outbox_table_is_in_the_register(outbox_url, shared_rabbitmq) -> None:
    broker = DurableEventBroker("127.0.0.1", "guest", "guest", shared_rabbitmq, outbox_url=outbox_url,
                                queues=["sesame_register_probe"], exchange_name="sesame_register_probe")
    broker.start()
    broker.stop()
    engine = sa.create_engine(outbox_url)
    columns = {f"event_outbox.{c['name']}" for c in sa.inspect(engine).get_columns("event_outbox")}
    engine.dispose()
    rows = registered_rows()
    names = {re.fullmatch(r"`(.+)`", row[0]).group(1) for row in rows}
    assert names == columns, f"register {sorted(names)} vs table {sorted(columns)}"
    text = REGISTER.read_text(encoding="utf-8")
    for name, _content, nature, rule in rows:
        assert nature in NATURES, name
        assert f"- `{rule}` :" in text, f"{name}: the rule {rule!r} is not explained"
    assert "event_outbox" in text.split("## Traitements")[1].split("## Registre")[0], "purpose and legal basis"
