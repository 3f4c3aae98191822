"""Appointments with the conseillers numériques: model, availability engine, booking service, conversation."""
