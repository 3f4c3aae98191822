"""Tables of the channels capability (Alembic branch ``channels``).

Phone numbers are keyed by their salted pseudonym; only ``channels_sms_contacts``
holds the number itself, because replying later (a conseiller's answer, a
reminder) needs it.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text

from actions.common.db import Base


class SmsOptOut(Base):
    """A number that sent STOP: nothing is sent to it until it sends START."""

    __tablename__ = "channels_sms_optouts"

    number_key = Column(String(40), primary_key=True)
    keyword = Column(String(20), nullable=False)
    opted_out_at = Column(DateTime(timezone=True), nullable=False)


class SmsContact(Base):
    """The number behind an SMS conversation and the choices of the last question sent to it."""

    __tablename__ = "channels_sms_contacts"

    sender_id = Column(String(40), primary_key=True)
    phone_e164 = Column(String(20), nullable=False)
    last_choices = Column(Text, nullable=False, default="[]")
    updated_at = Column(DateTime(timezone=True), nullable=False)


class SmsRateWindow(Base):
    """Messages received from a number in one fixed time window."""

    __tablename__ = "channels_sms_rate_windows"

    number_key = Column(String(40), primary_key=True)
    window_start = Column(DateTime(timezone=True), primary_key=True)
    count = Column(Integer, nullable=False)
    notified = Column(Boolean, nullable=False)


class TelegramCallback(Base):
    """Short Telegram callback id → the Rasa payload of the button it stands for."""

    __tablename__ = "channels_telegram_callbacks"

    callback_id = Column(String(64), primary_key=True)
    payload = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
