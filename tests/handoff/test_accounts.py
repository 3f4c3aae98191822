"""Console accounts: argon2 hashes only, lock-out after repeated failures, sessions that expire."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from actions.common.db import session_scope
from actions.handoff import accounts
from actions.handoff.models import ConsoleSession, ConsoleUser

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
LIMITS = {"max_failures": 3, "lockout_minutes": 15, "session_minutes": 60}


def test_the_password_is_stored_as_an_argon2_hash_and_a_weak_one_is_refused(sqlite_engine):
    with session_scope(sqlite_engine) as session:
        with pytest.raises(accounts.AccountError):
            accounts.create_user(session, "nadia", "Nadia", "court", "conseiller", NOW)
        user = accounts.create_user(session, "Nadia", "Nadia", "un mot de passe long", "conseiller", NOW)
        assert user.username == "nadia" and user.password_hash.startswith("$argon2id$")
        assert "un mot de passe long" not in user.password_hash
        with pytest.raises(accounts.AccountError):
            accounts.create_user(session, "nadia", "Autre", "un autre mot de passe", "conseiller", NOW)
        with pytest.raises(accounts.AccountError):
            accounts.create_user(session, "root", "Root", "un mot de passe long", "superuser", NOW)


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(sqlite_engine):
    with session_scope(sqlite_engine) as session:
        accounts.create_user(session, "nadia", "Nadia", "un mot de passe long", "conseiller", NOW)
    for _ in range(3):
        with pytest.raises(accounts.LoginRefused), session_scope(sqlite_engine) as session:
            accounts.login(session, "nadia", "mauvais", NOW, **LIMITS)
    with session_scope(sqlite_engine) as session:
        with pytest.raises(accounts.LoginRefused):
            accounts.login(session, "nadia", "un mot de passe long", NOW + timedelta(minutes=5), **LIMITS)
    with session_scope(sqlite_engine) as session:
        signed = accounts.login(session, "nadia", "un mot de passe long", NOW + timedelta(minutes=16), **LIMITS)
        assert session.get(ConsoleUser, signed.user_id).failed_logins == 0


def test_a_session_is_found_by_its_cookie_only_until_it_expires(sqlite_engine):
    with session_scope(sqlite_engine) as session:
        accounts.create_user(session, "nadia", "Nadia", "un mot de passe long", "conseiller", NOW)
    with session_scope(sqlite_engine) as session:
        signed = accounts.login(session, "nadia", "un mot de passe long", NOW, **LIMITS)
    with session_scope(sqlite_engine) as session:
        assert session.get(ConsoleSession, signed.token) is None  # only the hash is stored
        user, row = accounts.session_user(session, signed.token, NOW + timedelta(minutes=30))
        assert user.username == "nadia" and row.csrf_token == signed.csrf_token
        assert accounts.session_user(session, signed.token, NOW + timedelta(minutes=61)) is None
        assert accounts.session_user(session, "forged", NOW) is None
        accounts.logout(session, signed.token)
    with session_scope(sqlite_engine) as session:
        assert accounts.session_user(session, signed.token, NOW) is None


def test_an_unknown_name_is_refused_like_a_wrong_password(sqlite_engine):
    with session_scope(sqlite_engine) as session, pytest.raises(accounts.LoginRefused):
        accounts.login(session, "personne", "un mot de passe long", NOW, **LIMITS)
