"""Booking: places, conseillers, motifs, opening slots, absences, appointments, units, audit trail.

Revision ID: booking_0001
Revises:
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "booking_0001"
down_revision = None
branch_labels = ("booking",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_places",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("catalogue_structure_id", sa.String(100), nullable=True),
        sa.Column("source_url", sa.String(500), nullable=False),
        sa.Column("demo", sa.Boolean, nullable=False),
    )
    op.create_table(
        "booking_conseillers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("demo", sa.Boolean, nullable=False),
    )
    op.create_table(
        "booking_motifs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("min_delay_minutes", sa.Integer, nullable=False),
        sa.Column("max_delay_days", sa.Integer, nullable=False),
        sa.Column("what_to_bring", sa.Text, nullable=False),
        sa.Column("keywords", sa.Text, nullable=False),
    )
    op.create_table(
        "booking_motif_places",
        sa.Column("motif_id", sa.Integer, sa.ForeignKey("booking_motifs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("place_id", sa.Integer, sa.ForeignKey("booking_places.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_table(
        "booking_opening_slots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conseiller_id", sa.Integer, sa.ForeignKey("booking_conseillers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("place_id", sa.Integer, sa.ForeignKey("booking_places.id", ondelete="CASCADE"), nullable=False),
        sa.Column("weekday", sa.Integer, nullable=False),
        sa.Column("start_time", sa.Time, nullable=False),
        sa.Column("end_time", sa.Time, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=True),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("demo", sa.Boolean, nullable=False),
    )
    op.create_index("ix_booking_opening_conseiller", "booking_opening_slots", ["conseiller_id"])
    op.create_table(
        "booking_absences",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conseiller_id", sa.Integer, sa.ForeignKey("booking_conseillers.id", ondelete="CASCADE"), nullable=True),
        sa.Column("place_id", sa.Integer, sa.ForeignKey("booking_places.id", ondelete="CASCADE"), nullable=True),
        sa.Column("starts_at", sa.DateTime, nullable=False),
        sa.Column("ends_at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
    )
    op.create_table(
        "booking_appointments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(12), nullable=False, unique=True),
        sa.Column("motif_id", sa.Integer, sa.ForeignKey("booking_motifs.id"), nullable=False),
        sa.Column("place_id", sa.Integer, sa.ForeignKey("booking_places.id"), nullable=False),
        sa.Column("conseiller_id", sa.Integer, sa.ForeignKey("booking_conseillers.id"), nullable=False),
        sa.Column("starts_at", sa.DateTime, nullable=False),
        sa.Column("ends_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("sender_id", sa.String(200), nullable=True),
        sa.Column("first_name", sa.String(80), nullable=True),
        sa.Column("phone_e164", sa.String(20), nullable=True),
        sa.Column("phone_pseudonym", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("contact_purged_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_booking_appt_conseiller_start", "booking_appointments", ["conseiller_id", "starts_at"])
    op.create_index("ix_booking_appt_phone_pseudonym", "booking_appointments", ["phone_pseudonym"])
    op.create_table(
        "booking_appointment_units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("appointment_id", sa.Integer, sa.ForeignKey("booking_appointments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("conseiller_id", sa.Integer, sa.ForeignKey("booking_conseillers.id"), nullable=False),
        sa.Column("unit_start", sa.DateTime, nullable=False),
        sa.UniqueConstraint("conseiller_id", "unit_start", name="uq_booking_unit_conseiller_start"),
    )
    op.create_index("ix_booking_appointment_units_appointment_id", "booking_appointment_units", ["appointment_id"])
    op.create_table(
        "booking_appointment_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("appointment_id", sa.Integer, sa.ForeignKey("booking_appointments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_booking_appointment_events_appointment_id", "booking_appointment_events", ["appointment_id"])


def downgrade() -> None:
    for table in (
        "booking_appointment_events",
        "booking_appointment_units",
        "booking_appointments",
        "booking_absences",
        "booking_opening_slots",
        "booking_motif_places",
        "booking_motifs",
        "booking_conseillers",
        "booking_places",
    ):
        op.drop_table(table)
