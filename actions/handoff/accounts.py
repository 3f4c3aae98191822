"""Console accounts: argon2 password hashes, lock-out after repeated failures, expiring sessions.

Hashing and verification are argon2-cffi's (``PasswordHasher``, argon2id with its
maintained defaults). A session cookie is a random token; only its SHA-256 is stored,
so a copy of the database does not let anyone sign in.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from actions.handoff.cases import naive_utc
from actions.handoff.models import ADMIN_ROLE, ROLES, ConsoleSession, ConsoleUser

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()


class AccountError(ValueError):
    """An account cannot be created or changed as asked (duplicate name, weak password, bad role)."""


class LoginRefused(Exception):
    """Wrong name or password, or a locked or disabled account (the message never says which)."""


@dataclass(frozen=True)
class SignedIn:
    """A new session: the cookie value to send once, and the CSRF token of its forms."""

    token: str
    csrf_token: str
    user_id: int


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Le mot de passe doit avoir au moins {MIN_PASSWORD_LENGTH} caractères.")


def create_user(session: Session, username: str, display_name: str, password: str, role: str,
                now: datetime, service: str = "CCAS") -> ConsoleUser:
    """A new account; the password is hashed at once and never stored or logged in clear."""
    username = username.strip().lower()
    if not username or len(username) > 80:
        raise AccountError("Identifiant manquant ou trop long.")
    if role not in ROLES:
        raise AccountError(f"Rôle inconnu : {role}.")
    check_password_strength(password)
    if session.scalar(select(ConsoleUser.id).where(ConsoleUser.username == username)):
        raise AccountError("Cet identifiant existe déjà.")
    user = ConsoleUser(username=username, display_name=display_name.strip()[:80] or username,
                       service=service[:80], role=role, password_hash=_hasher.hash(password), active=True,
                       failed_logins=0, created_at=naive_utc(now))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: ConsoleUser, password: str) -> None:
    check_password_strength(password)
    user.password_hash = _hasher.hash(password)
    session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user.id))


def login(session: Session, username: str, password: str, now: datetime, *, max_failures: int,
          lockout_minutes: int, session_minutes: int) -> SignedIn:
    """Check the password; after ``max_failures`` wrong ones the account is locked for a while."""
    moment = naive_utc(now)
    user = session.scalars(select(ConsoleUser).where(ConsoleUser.username == username.strip().lower())).first()
    if user is None:
        _hasher.hash(password)  # same work as a real check: the timing says nothing
        raise LoginRefused()
    if not user.active or (user.locked_until is not None and user.locked_until > moment):
        raise LoginRefused()
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= max_failures:
            user.locked_until = moment + timedelta(minutes=lockout_minutes)
            user.failed_logins = 0
        # Committed before raising: a caller's rollback on the error must not erase the count.
        session.commit()
        raise LoginRefused()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = moment
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(ConsoleSession(token_hash=_token_hash(token), user_id=user.id, csrf_token=csrf,
                               created_at=moment, expires_at=moment + timedelta(minutes=session_minutes)))
    return SignedIn(token=token, csrf_token=csrf, user_id=user.id)


def session_user(session: Session, token: str, now: datetime) -> tuple[ConsoleUser, ConsoleSession] | None:
    """The signed-in user behind a cookie, or None when it is unknown, expired or disabled."""
    if not token:
        return None
    row = session.get(ConsoleSession, _token_hash(token))
    if row is None or row.expires_at <= naive_utc(now):
        return None
    user = session.get(ConsoleUser, row.user_id)
    if user is None or not user.active:
        return None
    return user, row


def logout(session: Session, token: str) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _token_hash(token)))


def purge_sessions(session: Session, now: datetime) -> int:
    result = session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= naive_utc(now)))
    return int(result.rowcount or 0)


def is_admin(user: ConsoleUser) -> bool:
    return user.role == ADMIN_ROLE
