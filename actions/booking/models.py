"""Tables of the appointment book of the conseillers numériques.

Modelled on RDV Aide Numérique: places (lieux), conseillers, weekly opening
slots (plages d'ouverture) per conseiller and place, absences and closures,
motifs, appointments and their audit trail.

All datetimes are stored as *naive UTC* (SQLite has no time zone type); the
availability engine converts to Europe/Paris for display and weekly openings.

Double booking is impossible at the database level: an active appointment
occupies one row per 15-minute unit in ``booking_appointment_units`` and a
UNIQUE (conseiller_id, unit_start) constraint rejects any overlap, whatever
the durations. Cancelling deletes those rows, which frees the time. This
works identically on SQLite and PostgreSQL (no exclusion constraint needed).
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    Index,
)
from sqlalchemy.orm import relationship

from actions.common.db import Base

#: Every appointment start and duration is a multiple of this many minutes.
UNIT_MINUTES = 15

STATUS_BOOKED = "booked"
STATUS_CANCELLED = "cancelled"
STATUS_DONE = "done"
STATUS_NO_SHOW = "no_show"
STATUSES = (STATUS_BOOKED, STATUS_CANCELLED, STATUS_DONE, STATUS_NO_SHOW)

motif_places = Table(
    "booking_motif_places",
    Base.metadata,
    Column("motif_id", Integer, ForeignKey("booking_motifs.id", ondelete="CASCADE"), primary_key=True),
    Column("place_id", Integer, ForeignKey("booking_places.id", ondelete="CASCADE"), primary_key=True),
)


class Place(Base):
    """A lieu where a conseiller numérique receives residents."""

    __tablename__ = "booking_places"

    id = Column(Integer, primary_key=True)
    slug = Column(String(64), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    address = Column(String(300), nullable=False, default="")
    phone = Column(String(32), nullable=False, default="")
    catalogue_structure_id = Column(String(100), nullable=True)
    source_url = Column(String(500), nullable=False, default="")
    demo = Column(Boolean, nullable=False, default=False)

    motifs = relationship("Motif", secondary=motif_places, back_populates="places")


class Conseiller(Base):
    """A conseiller numérique (only a display name: no personal data needed)."""

    __tablename__ = "booking_conseillers"

    id = Column(Integer, primary_key=True)
    slug = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(120), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    demo = Column(Boolean, nullable=False, default=False)


class Motif(Base):
    """Why a resident comes: sets the duration and how early / late one may book."""

    __tablename__ = "booking_motifs"

    id = Column(Integer, primary_key=True)
    slug = Column(String(64), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    duration_minutes = Column(Integer, nullable=False)
    min_delay_minutes = Column(Integer, nullable=False, default=120)
    max_delay_days = Column(Integer, nullable=False, default=60)
    what_to_bring = Column(Text, nullable=False, default="")
    keywords = Column(Text, nullable=False, default="")

    places = relationship("Place", secondary=motif_places, back_populates="motifs")


class OpeningSlot(Base):
    """A weekly plage d'ouverture: conseiller X is at place Y on weekday D from T1 to T2 (local time)."""

    __tablename__ = "booking_opening_slots"
    __table_args__ = (Index("ix_booking_opening_conseiller", "conseiller_id"),)

    id = Column(Integer, primary_key=True)
    conseiller_id = Column(Integer, ForeignKey("booking_conseillers.id", ondelete="CASCADE"), nullable=False)
    place_id = Column(Integer, ForeignKey("booking_places.id", ondelete="CASCADE"), nullable=False)
    weekday = Column(Integer, nullable=False)  # 0 = Monday
    start_time = Column(Time, nullable=False)
    end_time = Column(Time, nullable=False)
    valid_from = Column(Date, nullable=True)
    valid_until = Column(Date, nullable=True)
    demo = Column(Boolean, nullable=False, default=False)


class Absence(Base):
    """A period without appointments: a conseiller's absence or a place's closure (conseiller_id NULL)."""

    __tablename__ = "booking_absences"
    # Slot search reads absences ending after "now": the index skips past years of holidays.
    __table_args__ = (Index("ix_booking_absence_ends", "ends_at"),)

    id = Column(Integer, primary_key=True)
    conseiller_id = Column(Integer, ForeignKey("booking_conseillers.id", ondelete="CASCADE"), nullable=True)
    place_id = Column(Integer, ForeignKey("booking_places.id", ondelete="CASCADE"), nullable=True)
    starts_at = Column(DateTime, nullable=False)
    ends_at = Column(DateTime, nullable=False)
    reason = Column(String(200), nullable=False, default="")


class Appointment(Base):
    """A resident's rendez-vous. The phone is stored in E.164; logs only ever see its pseudonym."""

    __tablename__ = "booking_appointments"
    __table_args__ = (
        Index("ix_booking_appt_conseiller_start", "conseiller_id", "starts_at"),
        Index("ix_booking_appt_phone_pseudonym", "phone_pseudonym"),
    )

    id = Column(Integer, primary_key=True)
    reference = Column(String(12), nullable=False, unique=True)
    motif_id = Column(Integer, ForeignKey("booking_motifs.id"), nullable=False)
    place_id = Column(Integer, ForeignKey("booking_places.id"), nullable=False)
    conseiller_id = Column(Integer, ForeignKey("booking_conseillers.id"), nullable=False)
    starts_at = Column(DateTime, nullable=False)
    ends_at = Column(DateTime, nullable=False)
    status = Column(String(16), nullable=False, default=STATUS_BOOKED)
    channel = Column(String(32), nullable=False, default="rest")
    sender_id = Column(String(200), nullable=True)
    first_name = Column(String(80), nullable=True)
    phone_e164 = Column(String(20), nullable=True)
    phone_pseudonym = Column(String(40), nullable=True)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)
    contact_purged_at = Column(DateTime, nullable=True)

    motif = relationship("Motif")
    place = relationship("Place")
    conseiller = relationship("Conseiller")
    units = relationship("AppointmentUnit", cascade="all, delete-orphan", back_populates="appointment")
    events = relationship("AppointmentEvent", cascade="all, delete-orphan", order_by="AppointmentEvent.id")


class AppointmentUnit(Base):
    """One 15-minute unit of a conseiller's time held by an active appointment (the anti-double-booking lock)."""

    __tablename__ = "booking_appointment_units"
    __table_args__ = (UniqueConstraint("conseiller_id", "unit_start", name="uq_booking_unit_conseiller_start"),)

    id = Column(Integer, primary_key=True)
    appointment_id = Column(
        Integer, ForeignKey("booking_appointments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    conseiller_id = Column(Integer, ForeignKey("booking_conseillers.id"), nullable=False)
    unit_start = Column(DateTime, nullable=False)

    appointment = relationship("Appointment", back_populates="units")


class AppointmentEvent(Base):
    """Audit trail: who changed what and when (never the phone number or message text)."""

    __tablename__ = "booking_appointment_events"

    id = Column(Integer, primary_key=True)
    appointment_id = Column(
        Integer, ForeignKey("booking_appointments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at = Column(DateTime, nullable=False)
    action = Column(String(32), nullable=False)
    actor = Column(String(32), nullable=False, default="resident")
    detail = Column(Text, nullable=False, default="")


__all__ = [
    "Absence",
    "Appointment",
    "AppointmentEvent",
    "AppointmentUnit",
    "Conseiller",
    "Motif",
    "OpeningSlot",
    "Place",
    "STATUSES",
    "UNIT_MINUTES",
]
