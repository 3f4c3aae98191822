"""Check one data·inclusion record against the vendored JSON Schema and our local rules.

Returns every problem at once (field + message in plain words) so that a conseiller fixing an
export sees the whole list, not one error per attempt.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from actions.catalogue.hours import HoursSyntaxError, parse_hours
from actions.catalogue.referentiels import get_referentiels, load_schema

URL_FIELDS = ("site_web", "lien_mobilisation", "accessibilite_lieu", "x_source_url")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@lru_cache(maxsize=3)
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(kind), format_checker=FormatChecker())


def record_kind(record: dict[str, Any]) -> str:
    """A service names its structure; a structure does not."""
    return "service" if "structure_id" in record else "structure"


def normalise_phone(value: str | None) -> str | None:
    """French numbers as residents and exports write them ("04 79 …") → E.164 ("+33479…")."""
    if value is None or not str(value).strip():
        return None
    compact = _PHONE_SEPARATORS.sub("", str(value))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif re.fullmatch(r"0[1-9]\d{8}", compact):
        compact = "+33" + compact[1:]
    return compact


def _path(error: Any) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        parts = parts + missing[:1]
    return ".".join(parts) or "(enregistrement)"


def _message(error: Any) -> str:
    if error.validator == "required":
        return "champ obligatoire manquant"
    if error.validator in ("enum", "anyOf") and isinstance(error.instance, str):
        return f"valeur inconnue : {error.instance!r}"
    if error.validator == "minLength":
        return f"trop court (minimum {error.validator_value} caractères)"
    if error.validator == "maxLength":
        return f"trop long (maximum {error.validator_value} caractères)"
    return error.message


def _precise(error: Any) -> Any:
    """For "value or null" fields, report the deepest sub-error (the bad item), not the union."""
    if error.validator == "anyOf" and error.context:
        not_null = [e for e in error.context if e.validator_value != "null"]
        return _precise(max(not_null or error.context, key=lambda e: len(e.absolute_path)))
    return error


def validate_record(record: dict[str, Any]) -> list[FieldError]:
    """Every schema, referential and local-rule violation of one record (empty if valid)."""
    kind = record_kind(record)
    errors = [
        FieldError(_path(e), _message(e))
        for e in sorted(
            (_precise(e) for e in _validator(kind).iter_errors(record)),
            key=lambda e: [str(p) for p in e.absolute_path],
        )
    ]
    errors += [
        FieldError(_path(e), _message(e))
        for e in _validator("extensions").iter_errors(
            {k: v for k, v in record.items() if k.startswith("x_")}
        )
    ]
    phone = normalise_phone(record.get("telephone"))
    if phone is not None and not E164.match(phone):
        errors.append(FieldError("telephone", f"numéro invalide : {record.get('telephone')!r}"))
    for url_field in URL_FIELDS:
        value = record.get(url_field)
        if isinstance(value, str) and value.strip() and not value.startswith(("https://", "http://")):
            errors.append(FieldError(url_field, f"adresse web invalide : {value!r}"))
    hours = record.get("horaires_accueil")
    if hours:
        try:
            parse_hours(hours)
        except HoursSyntaxError as exc:
            errors.append(FieldError("horaires_accueil", str(exc)))
    known = {q.id for q in get_referentiels().quartiers}
    for quartier in record.get("x_quartiers") or []:
        if isinstance(quartier, str) and quartier not in known:
            errors.append(FieldError("x_quartiers", f"quartier inconnu : {quartier!r}"))
    return errors
