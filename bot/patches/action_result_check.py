"""Check the action server's answers against Rasa's schema without re-checking the schema.

Rasa validates every custom action's answer with ``jsonschema.validate``, which first
validates the *schema itself* against the JSON Schema meta-schema, then builds a new
validator. Rasa's event schema is large: that took about 115 ms per custom action
here, more than the rest of the turn. The schema never changes, so it is checked once
and its validator kept. Answers are checked exactly as before, and a bad answer raises
the same ``ValidationError`` with Rasa's message (tests/patches/test_action_result_check.py).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

WRITTEN_FOR = {"rasa": "3.6.21", "jsonschema": "4.17.3"}  # the versions this patch was written and tested against

@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """What ``jsonschema.validate`` decides, with the validator built once."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match

    error: ValidationError | None = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
