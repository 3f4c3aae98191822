"""`make run` and `make chat`: start Sésame on the embedded defaults and say where to talk to it."""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.runtime.model import ROOT, ensure_model
from bot.runtime.stack import Stack

BIN = Path(sys.executable).parent


def _banner(stack: Stack) -> str:
    lines = [
        "",
        "Sésame is running.",
        f"  Web chat (demo page):  http://localhost:{stack.web_port}/" if "web" in stack.processes else "",
        f"  Conseiller console:    http://localhost:{stack.web_port}/console/ (first: make create-admin)"
        if "web" in stack.processes else "",
        f"  REST channel:          curl -s localhost:{stack.rasa_port}/webhooks/rest/webhook "
        "-d '{\"sender\": \"moi\", \"message\": \"bonjour\"}'",
        f"  Rasa API token:        in var/rasa-token (Rasa listens on {stack.bind} only)",
        "  Logs:                  var/logs/",
        "Press Ctrl-C to stop everything.",
    ]
    return "\n".join(line for line in lines if line)


def refuse_demo_or_exit() -> None:
    """SESAME_ENV=production on demonstration agenda data: say what to do and exit with code 2."""
    from actions.booking.demo import DemoAgendaInProduction, refuse_demo_in_production

    try:
        refuse_demo_in_production()
    except DemoAgendaInProduction as exc:
        print(f"Sésame cannot start: {exc}", file=sys.stderr, flush=True)
        sys.exit(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chat", action="store_true", help="talk to the bot in this terminal")
    args = parser.parse_args()
    refuse_demo_or_exit()

    var_dir = Path(os.environ.get("SESAME_VAR_DIR", ROOT / "var"))
    stack = Stack(
        model=ensure_model(),
        var_dir=var_dir,
        rasa_port=int(os.environ.get("SESAME_RASA_PORT", 5005)),
        actions_port=int(os.environ.get("SESAME_ACTIONS_PORT", 5055)),
        web_port=int(os.environ.get("SESAME_WEB_PORT", 8000)),
        with_web=not args.chat,
    )
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    print("Starting the action server and the Rasa server (about 30 s)…", flush=True)
    stack.start()
    (var_dir / "rasa-token").write_text(stack.token)
    try:
        if args.chat:
            subprocess.run([str(BIN / "python"), "-m", "bot.console_chat", stack.rasa_url], cwd=ROOT)
            return
        print(_banner(stack), flush=True)
        while not stopping:
            for name, proc in stack.processes.items():
                if proc.poll() is not None:
                    print(f"{name} stopped (code {proc.returncode}); see var/logs/{name}.log", flush=True)
                    stopping = True
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping Sésame…", flush=True)
        stack.stop()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    main()
