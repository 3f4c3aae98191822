"""Runtime patches of Rasa 3.6.21, TensorFlow 2.12 and CPython 3.10: faster loads and turns.

Each module here replaces one internal of a library that Sésame does not own (a private
method, a module attribute) with a faster version that takes the same decisions; each has
its test in tests/patches/. Because they reach into internals, each module declares the
versions it was written and tested against (``WRITTEN_FOR``), and ``install`` applies it
only when the installed versions are those: after an upgrade, a patch that no longer fits
is skipped with a warning and Rasa runs its own code, slower but as shipped.

``SESAME_PATCHES=off`` installs none of them (to tell a Rasa bug from a patch's); a comma-separated
list of names installs only those (to find which patch a behaviour comes from).
Production starts Rasa through ``python -m bot.rasa_server``, which calls ``install``.
"""
from __future__ import annotations

import importlib
import logging
import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable, Mapping, Optional

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
REGEX_CACHE_DIR = ROOT / "models" / "regex-cache"

# In the order they are installed. flat_predict is not listed: fast_load installs it on
# each model it builds.
PATCHES = ("regex_cache", "fast_load", "event_lookup", "lazy_ted", "action_result_check", "tracker_sql",
           "graph_runner", "rule_lookup", "sparse_features", "count_vectors", "states_cache", "quiet_debug",
           "action_session", "action_timeout")


@dataclass(frozen=True)
class Outcome:
    """What ``install`` did with one patch, and why."""

    name: str
    installed: bool
    reason: str = ""


def installed_version(package: str) -> Optional[str]:
    """The version of an installed distribution (``python`` means the interpreter)."""
    if package == "python":
        return platform.python_version()
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def version_mismatches(written_for: Mapping[str, str],
                       version_of: Callable[[str], Optional[str]] = installed_version) -> list[str]:
    """The packages whose installed version is not the one a patch was written for.

    ``"3.10"`` accepts any 3.10.x; ``"3.6.21"`` accepts only 3.6.21 (and its local builds).
    """
    wrong = []
    for package, wanted in written_for.items():
        found = version_of(package)
        if found is None or not (found == wanted or found.startswith(wanted + ".") or found.startswith(wanted + "+")):
            wrong.append(f"{package} {found or 'absent'} (written for {wanted})")
    return wrong


def wanted(env: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """The patches ``SESAME_PATCHES`` asks for: all (``on``, the default), none (``off``), or a list."""
    setting = env.get("SESAME_PATCHES", "on").strip().lower()
    if setting in {"", "on", "1", "true", "yes"}:
        return PATCHES
    if setting in {"off", "0", "false", "no"}:
        return ()
    names = tuple(name.strip() for name in setting.split(",") if name.strip())
    unknown = [name for name in names if name not in PATCHES]
    if unknown:
        raise ValueError(f"SESAME_PATCHES names unknown patches: {', '.join(unknown)} (known: {', '.join(PATCHES)})")
    return tuple(name for name in PATCHES if name in names)


def install(env: Mapping[str, str] = os.environ,
            version_of: Callable[[str], Optional[str]] = installed_version) -> list[Outcome]:
    """Install every patch that fits the installed versions; say what was skipped and why."""
    chosen = wanted(env)
    if not chosen:
        logger.info("runtime patches off (SESAME_PATCHES=%s): Rasa runs as shipped", env.get("SESAME_PATCHES"))
    outcomes = [Outcome(name, False, "not in SESAME_PATCHES") for name in PATCHES if name not in chosen]
    for name in chosen:
        module = importlib.import_module(f"{__name__}.{name}")
        wrong = version_mismatches(module.WRITTEN_FOR, version_of)
        if wrong:
            logger.warning("runtime patch %s skipped: %s; Rasa's own code runs instead", name, ", ".join(wrong))
            outcomes.append(Outcome(name, False, "; ".join(wrong)))
            continue
        if name == "regex_cache":
            module.install(REGEX_CACHE_DIR)
        elif name == "action_timeout":
            module.install(env)  # only with SESAME_ACTION_TIMEOUT set (make run-prod): Rasa's 300 s otherwise
        else:
            module.install()
        outcomes.append(Outcome(name, True))
    return outcomes
