"""Notification outbox: confirmations and reminders sent through the resident's channel."""
