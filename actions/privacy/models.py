"""Table of the privacy capability (Alembic branch ``privacy``).

A resident's erasure is done at once in the app database; the conversation itself
(Rasa's tracker store) is erased by the worker a few seconds later, because Rasa
writes the turn that asked for it only after the action has answered. The request
row holds the conversation id until then, and is deleted with it.
"""
from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String

from actions.common.db import Base


class ErasureRequest(Base):
    """A conversation to erase from the tracker store once its last turn is written."""

    __tablename__ = "privacy_erasures"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, unique=True)
    requested_at = Column(DateTime, nullable=False)
