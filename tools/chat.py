"""`make chat`: a terminal conversation over the REST channel, buttons shown as numbers."""
from __future__ import annotations

import json
import sys
import urllib.request
import uuid


def send(rasa_url: str, sender: str, text: str) -> list[dict]:
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def main(rasa_url: str) -> None:
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    choices: list[str] = []
    print("Écrivez votre message (Ctrl-D ou « /quitter » pour arrêter).")
    while True:
        try:
            text = input("vous > ").strip()
        except EOFError:
            print()
            return
        if text in {"/quitter", "/quit"}:
            return
        if text.isdigit() and 1 <= int(text) <= len(choices):
            text = choices[int(text) - 1]
        choices = []
        for message in send(rasa_url, sender, text):
            if "text" in message:
                print(f"sésame > {message['text']}")
            for button in message.get("buttons", []):
                choices.append(button["payload"])
                print(f"   {len(choices)}. {button['title']}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5005")
