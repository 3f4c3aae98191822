"""Sésame action server: catalogue, guides, booking and handoff capabilities.

rasa-sdk imports this package and every sub-module, registering each ``Action``
subclass it finds. Action classes stay thin and delegate to plain modules.
"""
