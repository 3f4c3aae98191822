"""Load, before the action server answers anyone, what its actions keep in memory.

Without it the first resident to reach each action paid for the others: the first guide
took 2.3 s to read the catalogue's YAML files, the first booking imported 95 modules, and
the slow-path guard (actions/slow_path.py) saw a repeated call import a module that another
action's first call had not needed yet. :func:`warm_up` imports every module the actions can
reach and fills the caches by calling the same plain functions the actions call, each step
timed. A step that fails is logged and skipped: a warm-up must never keep the server down
(the action then loads on first use, as before).
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
import time
from datetime import datetime
from typing import Callable

log = logging.getLogger(__name__)

# Capabilities whose modules the actions reach; command-line tools, benchmarks, seeds and the
# worker are not on an action's path.
PACKAGES = ("actions.common", "actions.core", "actions.catalogue", "actions.guides", "actions.continuation",
            "actions.booking", "actions.handoff", "actions.privacy", "messaging.state", "actions.notifications")
NOT_ON_THE_ACTION_PATH = ("bench", "__main__", "importer", "worker", "migrate")


def import_action_modules() -> int:
    """Import every module of the capabilities (importing runs no command: those sit behind __main__)."""
    count = 0
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__, package_name + "."):
            if any(part.startswith(NOT_ON_THE_ACTION_PATH) for part in info.name.split(".")[2:]):
                continue
            importlib.import_module(info.name)
            count += 1
    return count


def _catalogue() -> None:
    from actions.catalogue.conversation import answer, answer_if_understood

    answer("aide pour mes papiers", {})
    answer_if_understood("je ne sais pas remplir un dossier en ligne")


def _guides() -> None:
    from actions.guides.library import catalogue_services, load_glossary, load_library

    load_library()
    load_glossary()
    catalogue_services()


def _booking() -> None:
    from actions.booking.service import app_service as _service
    from actions.common.phones import parse_french

    _service()
    parse_french("06 12 34 56 78", mobile_only=True)


def _standard_library() -> None:
    from zoneinfo import ZoneInfo

    datetime.strptime("07/12/2026", "%d/%m/%Y")  # imports _strptime once
    ZoneInfo("Europe/Paris")
    ZoneInfo("UTC")


STEPS: dict[str, Callable[[], None]] = {
    "catalogue": _catalogue, "guides": _guides, "booking": _booking, "standard library": _standard_library,
}


def warm_up() -> dict[str, float]:
    """Seconds each step took (a failed step is logged and left out)."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    try:
        modules = import_action_modules()
        timings["imports"] = round(time.perf_counter() - start, 2)
        log.info("warm-up: %d modules imported in %.2f s", modules, timings["imports"])
    except Exception:  # noqa: BLE001 - a module that cannot import will fail its action kindly later
        log.exception("warm-up: importing the action modules failed")
    for name, step in STEPS.items():
        began = time.perf_counter()
        try:
            step()
        except Exception:  # noqa: BLE001 - see the module docstring
            log.warning("warm-up: %s skipped", name, exc_info=True)
            continue
        timings[name] = round(time.perf_counter() - began, 2)
    log.info("warm-up done in %.2f s: %s", time.perf_counter() - start, timings)
    return timings
