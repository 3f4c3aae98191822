"""Messaging: what the Rasa process's channels and the notification worker both need.

The SMS and Telegram channels (``bot/channels/``, in the Rasa process) and the worker
(``actions/notifications/``, its own process) send to the same residents through the same
providers and must agree on the same state (an SMS number that sent STOP receives nothing,
from either). That code lives here, below both, so that neither ``bot`` nor ``actions``
imports the other for it (``tests/messaging/test_layers.py``):

- ``state/``: the channels' tables (opt-outs, SMS contacts and last choices, rate windows,
  Telegram callback ids), Alembic branch ``channels``;
- ``sms_providers``: the SMS adapters (log, Twilio) behind the opt-out guard;
- ``gsm7``: the GSM-7 alphabet, folding and segment counts every SMS goes through;
- ``telegram``: the Bot API client both sides send with.

It stands on ``actions.common`` (database session, settings, pseudonyms) like everything else.
"""
