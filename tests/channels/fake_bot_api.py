"""A fake Telegram Bot API on 127.0.0.1 that records every call PTB makes."""
from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qs

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Sésame", "username": "sesame_test_bot"}


class FakeBotApi:
    """Holds the recorded calls and the updates getUpdates will hand out."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.pending_updates: list[dict] = []
        self.base_url = ""
        self._next_id = 100

    def methods(self) -> list[str]:
        return [name for name, _ in self.calls]

    def calls_to(self, method: str) -> list[dict]:
        return [params for name, params in self.calls if name == method]

    def result_for(self, method: str, params: dict) -> object:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            self._next_id += 1
            chat_id = int(params["chat_id"])
            return {"message_id": self._next_id, "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                    "from": BOT_USER, "text": params.get("text", "")}
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            self.pending_updates = [u for u in self.pending_updates if u["update_id"] >= offset]
            return list(self.pending_updates)
        return True


def _handler(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server API)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if "json" in (self.headers.get("Content-Type") or ""):
                params = json.loads(raw or "{}")
            else:
                params = {k: v[0] for k, v in parse_qs(raw).items()}
            for key in ("reply_markup", "allowed_updates", "commands"):
                if isinstance(params.get(key), str):
                    params[key] = json.loads(params[key])
            method = self.path.rsplit("/", 1)[-1]
            api.calls.append((method, params))
            data = json.dumps({"ok": True, "result": api.result_for(method, params)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST

        def log_message(self, *args) -> None:
            pass

    return Handler


@contextmanager
def fake_bot_api() -> Iterator[FakeBotApi]:
    api = FakeBotApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.base_url = f"http://127.0.0.1:{server.server_address[1]}/bot"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
