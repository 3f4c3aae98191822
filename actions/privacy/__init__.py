"""Residents' rights from the conversation: see their data (export) and erase it."""
