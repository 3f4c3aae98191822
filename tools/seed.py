"""Prepare the app database: apply migrations, then load each capability's reviewed seed data.

Idempotent: running it again changes nothing. The catalogue goes first because
other capabilities (booking places) refer to its structures.
"""
from __future__ import annotations

import importlib

from actions.common.db import get_engine
from actions.common.migrate import upgrade

# (capability, "module:function"); each function takes the engine.
SEEDERS = [
    ("catalogue", "actions.catalogue.seed:load_seed"),
    ("booking", "actions.booking.seed:seed"),
]


def seed_all() -> list[str]:
    """Migrate and seed; return the capabilities that loaded data."""
    upgrade()
    engine = get_engine()
    for _name, target in SEEDERS:
        module_name, function = target.split(":")
        getattr(importlib.import_module(module_name), function)(engine)
    return [name for name, _ in SEEDERS]


if __name__ == "__main__":
    names = seed_all()
    print(f"Database ready; seed data loaded: {', '.join(names)}")
