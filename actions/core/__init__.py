"""Core conversation: fallback and human contact options."""
