"""No import runs back up a layer: ``actions``, ``bot`` and ``messaging`` are read with ``ast``.

The layers (README, "Architecture"):
- ``messaging/``: channel state and providers, used by the Rasa process's channels and by the
  worker; it imports neither ``bot`` nor ``actions`` beyond ``actions.common``;
- ``actions/``: the action server's capabilities and the worker; never imports ``bot``;
- ``bot/``: the Rasa process (channels, nlu, patches) and the web process (web chat, console);
  imports ``actions`` only where an exception below says why;
- ``tools/``: launchers, training, benchmarks; nothing in the three packages imports them.

Every import is checked, including the ones inside functions (a lazy import is still a
dependency). An exception that nothing uses any more fails too, so the list stays true.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("actions", "bot", "messaging")


@dataclass(frozen=True)
class Allowed:
    """``importer`` (a module or package prefix) may import ``imported`` (a module prefix), because ``why``."""

    importer: str
    imported: str
    why: str


# The foundation every process stands on. It lives in actions/common/ today; moving it to its
# own top-level package would touch every capability (a later step of issue 16).
FOUNDATION = "the foundation every process shares: app database session and migrations, settings, pseudonyms, text folding"

ALLOWED: tuple[Allowed, ...] = (
    Allowed("messaging", "actions.common", FOUNDATION),
    Allowed("bot.channels", "actions.common", FOUNDATION),
    Allowed("bot.console", "actions.common", FOUNDATION),
    Allowed("bot.webchat", "actions.common", FOUNDATION),
    # The never-silent guard (Rasa process): when Rasa says nothing it gives the sourced human
    # contacts, and an urgent message during a handoff flags the case urgent at once.
    Allowed("bot.channels.guard", "actions.core.contacts", "the sourced human contacts, said when Rasa is silent"),
    Allowed("bot.channels.guard", "actions.handoff.cases", "an urgent message while a person has the conversation flags the case"),
    # The conseiller console (web process) is the user interface of the case store and the agenda.
    Allowed("bot.console", "actions.handoff", "the console is the conseillers' interface to the case store"),
    Allowed("bot.console", "actions.booking", "the console books and shows appointments for a resident"),
    # The web process serves a resident's own data behind signed links or random ids; the SQL stays
    # in the capability that owns the tables.
    Allowed("bot.webchat.server", "actions.core.contacts", "the widget's fallback text: the sourced human contacts"),
    Allowed("bot.webchat.server", "actions.handoff.web", "GET /chat/messages: a conseiller's replies (the pull delivery)"),
    Allowed("bot.webchat.server", "actions.privacy", "GET /chat/export: a resident's data, behind a signed link"),
    Allowed("bot.webchat.server", "actions.booking.agenda", "GET /rdv/<ref>.ics: the resident's appointment, behind a signed link"),
    Allowed("bot.webchat.server", "actions.booking.demo", "the demo page's banner while the agenda is demonstration data"),
)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # "from actions import handoff" imports actions.handoff: check the full name too.
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names if alias.name != "*")
    return found


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def forbidden(importer: str, imported: str) -> bool:
    """True when this import runs across a layer in a direction the layers do not allow."""
    source, target = importer.split(".")[0], imported.split(".")[0]
    if target == "tools":
        return True
    if source == "actions":
        return target == "bot"
    if source == "bot":
        return target == "actions"
    if source == "messaging":
        return target in {"bot", "actions"}
    return False


def allowance(importer: str, imported: str) -> Allowed | None:
    return next((rule for rule in ALLOWED if within(importer, rule.importer) and within(imported, rule.imported)), None)


def cross_layer_imports() -> list[tuple[str, int, str]]:
    rows = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            importer = module_name(path)
            for line, imported in imports_of(path):
                if forbidden(importer, imported):
                    rows.append((importer, line, imported))
    return rows


def test_no_import_runs_back_up_a_layer() -> None:
    offending = [f"{importer}:{line} imports {imported}" for importer, line, imported in cross_layer_imports()
                 if allowance(importer, imported) is None]
    assert not offending, "imports across the layers (see tests/messaging/test_layers.py):\n" + "\n".join(offending)


def test_actions_never_import_bot_or_tools() -> None:
    """No exception can be written for these: the worker and the action server run without bot/."""
    assert not [rule for rule in ALLOWED if within(rule.importer, "actions") or within(rule.imported, "tools")]
    assert not [rule for rule in ALLOWED if within(rule.importer, "messaging") and within(rule.imported, "bot")]


def test_every_exception_is_still_needed() -> None:
    used = {allowance(importer, imported) for importer, _, imported in cross_layer_imports()}
    stale = [rule for rule in ALLOWED if rule not in used]
    assert not stale, f"exceptions nothing uses any more (remove them): {stale}"


def test_the_checker_sees_lazy_relative_and_from_imports(tmp_path) -> None:
    source = tmp_path / "bot" / "channels" / "_layer_probe.py"
    source.parent.mkdir(parents=True)
    source.write_text("def f():\n    from actions.booking import agenda\n    from . import texts\n    import tools.stack\n",
                      encoding="utf-8")
    found = {name for _, name in imports_of(source, tmp_path)}
    assert {"actions.booking", "actions.booking.agenda", "bot.channels", "bot.channels.texts", "tools.stack"} <= found
    assert forbidden("bot.channels._layer_probe", "actions.booking.agenda")
    assert allowance("bot.channels._layer_probe", "actions.booking.agenda") is None
    assert forbidden("actions.notifications.senders", "bot.channels.telegram")
    assert forbidden("messaging.state.store", "actions.handoff.cases")
    assert allowance("messaging.state.store", "actions.handoff.cases") is None
