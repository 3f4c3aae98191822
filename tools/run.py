"""`make run` and `make chat`: start Sésame on the embedded defaults and say where to talk to it."""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tools.model import ROOT, ensure_model
from tools.stack import Stack
from tools.supervisor import Supervisor

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


def _log(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)


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
    supervisor: Supervisor | None = None
    phase = "starting"  # then "running", then "stopping"

    def _stop(*_: object) -> None:
        """Ctrl-C or SIGTERM: stop everything, children included, and restart nothing."""
        nonlocal phase
        if phase == "starting" or (phase == "running" and args.chat):
            phase = "stopping"
            raise KeyboardInterrupt  # Stack.start stops what it started; the chat is interrupted
        if supervisor is not None:
            supervisor.stop()  # the loop ends within a poll interval, never in the middle of a restart

    signal.signal(signal.SIGTERM, _stop)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # ignored stays ignored (nohup, no job control)
        signal.signal(signal.SIGINT, _stop)
    try:
        print("Starting the action server and the Rasa server (about 30 s)…", flush=True)
        stack.start()
        (var_dir / "rasa-token").write_text(stack.token)
        # A process that dies is started again (tools/supervisor.py); the others keep serving.
        supervisor = Supervisor(stack.processes, stack.respawn, log=_log)
        phase = "running"
        if args.chat:
            watcher = threading.Thread(target=supervisor.run, name="supervisor", daemon=True)
            watcher.start()
            try:
                subprocess.run([str(BIN / "python"), "-m", "tools.chat", stack.rasa_url], cwd=ROOT)
            finally:
                supervisor.stop()
                watcher.join(timeout=5)
            return
        print(_banner(stack), flush=True)
        supervisor.run()
    except KeyboardInterrupt:
        pass
    finally:
        phase = "stopping"  # a second Ctrl-C does not interrupt the clean stop
        if supervisor is not None:
            supervisor.stop()
        print("\nStopping Sésame…", flush=True)
        stack.stop()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    main()
