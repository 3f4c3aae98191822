"""Pieces shared by every capability: settings, database, text helpers."""
