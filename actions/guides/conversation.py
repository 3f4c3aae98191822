"""What Sésame answers inside a guide, decided without Rasa.

Each function takes the little state the conversation keeps (guide id, page
index) and returns a :class:`~actions.common.reply.Reply`: one domain response,
its variables and extra buttons, and the new state as the ``guide_id`` and
``guide_page`` slots. The Rasa actions only send it, so the whole behaviour is
tested with plain pytest (:func:`state` reads the state back).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from actions.common.reply import Message, Reply
from actions.guides.library import Guide, Term
from actions.guides.matching import resolve
from actions.guides.stepper import (
    documents_sms,
    documents_text,
    explain,
    gsm_text,
    next_page,
    page,
    simpler,
)

RESPONSE_PAGE = "utter_guide_page"
RESPONSE_END = "utter_guide_end"
RESPONSE_CHOOSE = "utter_guide_choose"
RESPONSE_TOPICS = "utter_ask_rights_topic"
RESPONSE_DOCUMENTS = "utter_guide_documents"
RESPONSE_EXPLAIN = "utter_guide_explain"
RESPONSE_EXPLAIN_UNKNOWN = "utter_guide_explain_unknown"


def guide_reply(response: str, variables: Mapping[str, str] | None = None,
                buttons: Sequence[Mapping[str, str]] = (), guide_id: str | None = None,
                page: int | None = None) -> Reply:
    """One bot message and the guide state after it (a state left None is not set)."""
    slots: dict[str, Any] = {}
    if guide_id is not None:
        slots["guide_id"] = guide_id
    if page is not None:
        slots["guide_page"] = float(page)
    return Reply((Message(response=response, variables=dict(variables or {}), buttons=tuple(buttons)),), slots)


def state(reply: Reply) -> tuple[str | None, float | None]:
    """The (guide id, page) a reply leaves, as the slots will hold them."""
    return reply.slots.get("guide_id"), reply.slots.get("guide_page")


def guide_button(guide: Guide) -> dict[str, str]:
    """A button that opens a guide (works as a numbered choice on SMS too)."""
    return {"title": guide.label, "payload": f'/ask_guide{{"guide":"{guide.id}"}}'}


def _page_reply(guide: Guide, index: int, names: Mapping[str, str]) -> Reply:
    current = page(guide, index, dict(names))
    response = RESPONSE_END if current.is_last else RESPONSE_PAGE
    return guide_reply(response, {"page": current.text}, [], guide.id, current.index)


def start(text: str, entity: str | None, library: Mapping[str, Guide], names: Mapping[str, str]) -> Reply:
    """Open the guide the resident means, ask which one when 2 or 3 compete, or show topics."""
    found = resolve(text, library, entity)
    if found.kind == "one":
        return _page_reply(found.guides[0], 0, names)
    if found.kind == "choose":
        return guide_reply(RESPONSE_CHOOSE, {}, [guide_button(g) for g in found.guides])
    return guide_reply(RESPONSE_TOPICS)


def _current(guide_id: str | None, library: Mapping[str, Guide]) -> Guide | None:
    return library.get(guide_id) if guide_id else None


def advance(guide_id: str | None, index: float | None, library: Mapping[str, Guide], names: Mapping[str, str]) -> Reply:
    """'La suite': the next page, or the topics when no guide is open."""
    guide = _current(guide_id, library)
    if guide is None:
        return guide_reply(RESPONSE_TOPICS)
    current = next_page(guide, int(index or 0), dict(names))
    return _page_reply(guide, current.index, names)


def repeat(guide_id: str | None, index: float | None, library: Mapping[str, Guide], names: Mapping[str, str]) -> Reply:
    """'Répète': the same page again."""
    guide = _current(guide_id, library)
    if guide is None:
        return guide_reply(RESPONSE_TOPICS)
    return _page_reply(guide, int(index or 0), names)


def simplify(guide_id: str | None, index: float | None, library: Mapping[str, Guide], names: Mapping[str, str]) -> Reply:
    """'Plus simple': the same page in fewer words; the state does not move."""
    guide = _current(guide_id, library)
    if guide is None:
        return guide_reply(RESPONSE_TOPICS)
    current = page(guide, int(index or 0), dict(names))
    response = RESPONSE_END if current.is_last else RESPONSE_PAGE
    return guide_reply(response, {"page": simpler(guide, current.index, dict(names))}, [], guide.id, current.index)


def documents(guide_id: str | None, index: float | None, library: Mapping[str, Guide]) -> Reply:
    """'Envoie-moi la liste des papiers': one message to keep, short enough for 2 SMS."""
    guide = _current(guide_id, library)
    if guide is None:
        return guide_reply(RESPONSE_TOPICS)
    variables = {"documents": documents_text(guide), "documents_sms": documents_sms(guide)}
    return guide_reply(RESPONSE_DOCUMENTS, variables, [], guide.id, int(index or 0))


def explain_word(
    text: str, entity: str | None, glossary: tuple[Term, ...], library: Mapping[str, Guide],
    guide_id: str | None, index: float | None,
) -> Reply:
    """'C'est quoi … ?': one plain sentence, and the guide about it when there is one."""
    term = explain(entity or "", glossary) if entity else None
    term = term or explain(text, glossary)
    page = int(index) if index is not None else None
    if term is None:
        return guide_reply(RESPONSE_EXPLAIN_UNKNOWN, {}, [], guide_id=guide_id, page=page)
    buttons = []
    if term.guide and term.guide in library and term.guide != guide_id:
        buttons.append(guide_button(library[term.guide]))
    variables = {"explanation": term.explanation, "explanation_sms": gsm_text(term.explanation)}
    return guide_reply(RESPONSE_EXPLAIN, variables, buttons, guide_id=guide_id, page=page)
