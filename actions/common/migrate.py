"""Bring the app database schema up to date with Alembic.

Each capability owns an independent Alembic branch (``branch_labels``) in
``actions/migrations/versions``; upgrading to ``heads`` applies them all, so
capabilities can add tables without touching each other's history.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
from pathlib import Path

from alembic import command
from alembic.config import Config

import actions
from actions.common.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def import_all_models() -> None:
    """Import ``actions.<capability>.models`` for every capability that has one, and messaging's tables."""
    importlib.import_module("messaging.state.models")
    for info in pkgutil.iter_modules(actions.__path__):
        if info.ispkg:
            try:
                importlib.import_module(f"actions.{info.name}.models")
            except ModuleNotFoundError as exc:
                if exc.name != f"actions.{info.name}.models":
                    raise


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration pointing at our scripts and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    return config


def upgrade(url: str | None = None) -> None:
    """Apply every pending migration of every capability branch."""
    target = url or get_settings().database_url
    if target.startswith("sqlite:///"):
        Path(target.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(target), "heads")


def main() -> None:
    parser = argparse.ArgumentParser(description="Upgrade the Sésame app database.")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or var/sesame.db)")
    args = parser.parse_args()
    upgrade(args.url)


if __name__ == "__main__":
    main()
