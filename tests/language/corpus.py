"""Every text a resident reads, gathered from the files at test time.

Sources: the responses of domain/ (all capabilities), the guides as the
stepper sends them, the glossary, the catalogue descriptions, and the texts
built in Python (handoff, the SMS sent after a booking, the channels' own
replies, the privacy download). Reading the files at test time means a new
response or service is checked the moment it is written, by whoever writes it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import yaml

from actions.guides.library import catalogue_services, load_glossary, load_library
from actions.guides.stepper import documents_text, pages

ROOT = Path(__file__).resolve().parents[2]
# Words the resident writes back to Sésame, in capitals in the SMS: commands, not acronyms.
COMMAND_WORDS = ("DECALER", "ANNULER", "CONSEILLER", "RDV", "START", "STOP", "AIDE")
# Catalogue fields a resident reads (search hints and ids are not prose).
CATALOGUE_PROSE_KEYS = ("description", "presentation_resume", "presentation_detail")


def domain_texts(domain: Path = ROOT / "domain") -> Iterator[tuple[str, str]]:
    """(origin, text) for every response variant of the domain, file by file."""
    for path in sorted(domain.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (data.get("responses") or {}).items():
            for index, variant in enumerate(variants or []):
                if isinstance(variant, dict) and isinstance(variant.get("text"), str):
                    channel = variant.get("channel")
                    suffix = f"[{index}{', ' + channel if channel else ''}]"
                    yield f"domain/{path.name} {name}{suffix}", variant["text"]


def guide_texts() -> Iterator[tuple[str, str]]:
    """(origin, text) for every message the guides send, simpler wordings included."""
    names = catalogue_services()
    for guide in load_library().values():
        for index, text in enumerate(pages(guide, names)):
            yield f"guide {guide.id} page {index}", text
        for index, step in enumerate(guide.steps, start=1):
            if step.simpler:
                yield f"guide {guide.id} step {index} simpler", step.simpler
        yield f"guide {guide.id} documents", documents_text(guide)
    for term in load_glossary():
        yield f"glossary {term.id}", term.explanation


def _prose(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        label = node.get("id", "")
        for key, value in node.items():
            if key in CATALOGUE_PROSE_KEYS and isinstance(value, str) and value.strip():
                yield f"{path} {label}.{key}".strip(), value
            else:
                yield from _prose(value, path)
    elif isinstance(node, list):
        for item in node:
            yield from _prose(item, path)


def catalogue_texts(directory: Path = ROOT / "data" / "catalogue") -> Iterator[tuple[str, str]]:
    """(origin, text) for every catalogue description, whatever file holds it."""
    for path in sorted(directory.glob("*.yml")):
        yield from _prose(yaml.safe_load(path.read_text(encoding="utf-8")), f"catalogue/{path.name}")


def handoff_texts() -> Iterator[tuple[str, str]]:
    """(origin, text) for what the handoff actions write in Python (contact ways, promises, refusal, failure)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from actions.handoff import actions as handoff
    from actions.handoff.promise import promise_at, promise_text

    for mode, text in handoff.CONTACT_TEXT.items():
        yield f"handoff/contact/{mode}", text.format(phone="06 12 34 56 78")
    for mode, text in handoff.CONTACT_TEXT_KNOWN_CHANNEL.items():
        yield f"handoff/contact-known/{mode}", text
    yield "handoff/refused", handoff.refused_text()
    for label, moment in (("open", datetime(2026, 12, 7, 10, tzinfo=ZoneInfo("Europe/Paris"))),
                          ("closed", datetime(2026, 12, 24, 18, tzinfo=ZoneInfo("Europe/Paris")))):
        yield f"handoff/promise/{label}", promise_text(promise_at(moment), moment)
    yield "handoff/failed", handoff.failed_text()


def booking_message_texts() -> Iterator[tuple[str, str]]:
    """(origin, text) for the SMS sent after a booking: a place with a sourced address, one without,
    and the notice of an appointment made on demonstration data."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from actions.booking import demo, messages

    places = (("address", "Médiathèque Jean-Jacques Rousseau", "Carré Curial, Chambéry"),
              ("no-address", "La Dynamo", ""))
    for label, place, address in places:
        facts = messages.MessageFacts(
            reference="K7M4QX", starts_at=datetime(2026, 12, 8, 10, tzinfo=ZoneInfo("Europe/Paris")),
            place_name=place, place_address=address, place_phone="", what_to_bring="votre téléphone")
        for name in ("confirmation_body", "reminder_body", "moved_body", "cancellation_body"):
            yield f"booking/{name}/{label}", getattr(messages, name)(facts)
    for later in (False, True):
        yield f"booking/demo-notice{'/later' if later else ''}", demo.demo_notice(None, later=later)
    yield "booking/demo-banner", demo.BANNER_TEXT


def channel_texts() -> Iterator[tuple[str, str]]:
    """(origin, text) for what the channels answer themselves, before or around Rasa."""
    from bot.channels import texts

    for name in ("SMS_STOPPED", "SMS_RESTARTED", "SMS_RATE_LIMITED", "MESSAGE_TOO_LONG", "TELEGRAM_NOT_TEXT",
                 "TELEGRAM_GROUP", "TELEGRAM_OLD_BUTTON", "SMS_NOT_TEXT"):
        yield f"channels/{name}", getattr(texts, name)
    for kind in texts.URGENT_LINES:
        yield f"channels/urgent/{kind}", texts.urgent_text((kind,))
    yield "channels/urgent/cannot-speak", texts.urgent_text((), cannot_speak=True)
    yield "channels/too-long", texts.too_long(("urgent_suicide",))


def privacy_texts() -> Iterator[tuple[str, str]]:
    """(origin, text) for the prose of the personal-data download (the resident's own lines aside)."""
    from datetime import datetime, timezone

    from actions.privacy.conversation import export_document
    from actions.privacy.rights import PersonalData

    now = datetime(2026, 12, 7, 9, tzinfo=timezone.utc)
    yield "privacy/export-document", export_document(PersonalData("resident"), now)


def python_texts() -> list[tuple[str, str]]:
    """Every resident text built in Python rather than written in a data file."""
    return [*handoff_texts(), *booking_message_texts(), *channel_texts(), *privacy_texts()]


def all_texts() -> list[tuple[str, str]]:
    return [*domain_texts(), *guide_texts(), *catalogue_texts(), *python_texts()]
