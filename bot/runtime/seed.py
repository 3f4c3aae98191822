"""Prepare the app database: apply migrations, then load each capability's seed data.

Idempotent: running it again changes nothing. A capability takes part by
providing ``actions/<capability>/seed.py`` with a ``seed(engine) -> None`` function.
"""
from __future__ import annotations

import importlib
import pkgutil

import actions
from actions.common.db import get_engine
from actions.common.migrate import upgrade


def seed_all() -> list[str]:
    """Migrate and seed; return the capabilities that loaded data."""
    upgrade()
    engine = get_engine()
    seeded = []
    for info in sorted(pkgutil.iter_modules(actions.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"actions.{info.name}.seed")
        except ModuleNotFoundError as exc:
            if exc.name == f"actions.{info.name}.seed":
                continue
            raise
        module.seed(engine)
        seeded.append(info.name)
    return seeded


if __name__ == "__main__":
    names = seed_all()
    print("Database ready" + (f"; seed data loaded: {', '.join(names)}" if names else "."))
