"""Appointments with the conseillers numériques: model, slot engine, booking service, conversation."""
