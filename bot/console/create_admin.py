"""Create a console admin account: ``make create-admin``.

Asks the username, the name shown to residents and the password (``getpass``, typed twice).
For scripts, ``SESAME_ADMIN_USERNAME``, ``SESAME_ADMIN_PASSWORD`` (and optionally
``SESAME_ADMIN_NAME``, ``SESAME_ADMIN_SERVICE``) are read from the environment instead.
The database is migrated first. There is no default password, and a weak one is refused.
"""
from __future__ import annotations

import getpass
import sys
from datetime import datetime, timezone
from typing import Callable

from actions.common.db import make_engine, session_scope
from actions.common.migrate import upgrade
from actions.common.settings import get_settings
from actions.handoff import accounts, audit
from actions.handoff.models import ADMIN_ROLE
from bot.settings import get_bot_settings


def ask(prompt_input: Callable[[str], str] = input,
        prompt_secret: Callable[[str], str] = getpass.getpass) -> tuple[str, str, str, str]:
    settings = get_bot_settings()
    username = settings.admin_username.strip() or prompt_input("Identifiant : ").strip()
    name = settings.admin_name.strip() or (
        username if settings.admin_username else prompt_input("Nom affiché (par exemple Nadia) : ").strip())
    service = settings.admin_service.strip() or "CCAS"
    password = settings.admin_password
    if not password:
        password = prompt_secret(f"Mot de passe ({accounts.MIN_PASSWORD_LENGTH} caractères au moins) : ")
        if prompt_secret("Le même mot de passe, encore une fois : ") != password:
            raise accounts.AccountError("Les 2 mots de passe ne sont pas les mêmes.")
    return username, name or username, service, password


def create_admin(url: str, username: str, name: str, service: str, password: str) -> int:
    upgrade(url)
    engine = make_engine(url)
    try:
        now = datetime.now(timezone.utc)
        with session_scope(engine) as session:
            user = accounts.create_user(session, username, name, password, ADMIN_ROLE, now, service=service)
            audit.record(session, None, "compte_cree", now, detail=f"{user.username} (admin, make create-admin)")
            return user.id
    finally:
        engine.dispose()


def main() -> int:
    try:
        username, name, service, password = ask()
        accounts.check_password_strength(password)
        create_admin(get_settings().database_url, username, name, service, password)
    except accounts.AccountError as exc:
        print(f"Compte non créé : {exc}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\nCompte non créé.", file=sys.stderr)
        return 1
    print(f"Compte administrateur « {username.strip().lower()} » créé. Connectez-vous sur /console/connexion.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
