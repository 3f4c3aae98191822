"""Settings of the Rasa process's channels and of the web process (web chat, console), read once.

The action server, the worker and ``messaging/`` read ``actions.common.settings``; what the
Rasa and web processes share with them (database URL, provider and Telegram secrets, var dir,
the console's account rules) stays there. This module holds only what ``bot/`` alone needs:
the channels' limits and public webhook URLs, the web server's address and the browser
policy's origins. Nothing else in ``bot/`` reads the environment
(``tests/common/test_settings_reads.py``).
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache


@dataclass(frozen=True)
class BotSettings:
    """Limits of every channel, SMS limits, public webhook URLs, the web server and its browser policy.

    The limits (bot/channels/limits.py) never silence an urgent message.
    """

    sms_rate_limit: int
    sms_rate_window: timedelta
    sms_webhook_url: str
    telegram_webhook_url: str
    # Every channel: longer messages get a kind reply and never reach Rasa.
    max_message_chars: int = 2000
    # HTTP webhooks: a larger body is refused with 413 before it is parsed.
    max_body_bytes: int = 65536
    # REST, Telegram, web chat: messages per sender per window (SMS has its own, above).
    rate_limit: int = 60
    rate_window: timedelta = timedelta(minutes=10)
    # REST and web chat: messages per client IP per window; SMS and Telegram: refused
    # (wrongly signed) requests per IP. Exempt networks: the machine itself by default.
    ip_rate_limit: int = 120
    ip_rate_window: timedelta = timedelta(minutes=1)
    ip_rate_exempt: tuple = ()
    # Urgent messages over a limit still passed to Rasa per window; beyond, the numbers at once.
    urgent_over_limit: int = 10
    # Web process (bot/webchat/server.py): its address, and Rasa's URL as the browser reaches it.
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    rasa_public_url: str = "http://localhost:5005"
    # Telegram polling (bot/channels/telegram_polling.py): the Rasa server it forwards updates to.
    polling_rasa_url: str = "http://localhost:5005"
    # Browser policy (bot/webchat/security_headers.py): the raw variables, checked where used.
    sesame_env: str = ""
    public_url: str = ""
    allowed_origins: str = ""
    frame_ancestors: str = ""
    # `make create-admin` without a terminal (bot/console/create_admin.py).
    admin_username: str = ""
    admin_name: str = ""
    admin_service: str = ""
    admin_password: str = ""

    def browser_env(self) -> dict[str, str]:
        """The browser policy's variables as security_headers' functions take them (tests pass dicts)."""
        return {"SESAME_ENV": self.sesame_env, "SESAME_PUBLIC_URL": self.public_url,
                "SESAME_ALLOWED_ORIGINS": self.allowed_origins, "SESAME_FRAME_ANCESTORS": self.frame_ancestors}


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@lru_cache(maxsize=1)
def get_bot_settings() -> BotSettings:
    """The Rasa and web processes' own settings (cached: the environment is read once)."""
    return BotSettings(
        sms_rate_limit=int(_env("SMS_RATE_LIMIT", "30")),
        sms_rate_window=timedelta(minutes=int(_env("SMS_RATE_WINDOW_MINUTES", "60"))),
        # Public URLs as the providers call them (signatures cover the exact URL).
        sms_webhook_url=_env("SMS_WEBHOOK_URL"),
        telegram_webhook_url=_env("TELEGRAM_WEBHOOK_URL"),
        max_message_chars=int(_env("SESAME_MAX_MESSAGE_CHARS", "2000")),
        max_body_bytes=int(_env("SESAME_MAX_BODY_BYTES", "65536")),
        rate_limit=int(_env("SESAME_RATE_LIMIT", "60")),
        rate_window=timedelta(minutes=int(_env("SESAME_RATE_WINDOW_MINUTES", "10"))),
        ip_rate_limit=int(_env("SESAME_IP_RATE_LIMIT", "120")),
        ip_rate_window=timedelta(minutes=int(_env("SESAME_IP_RATE_WINDOW_MINUTES", "1"))),
        ip_rate_exempt=networks(_env("SESAME_IP_RATE_EXEMPT", "127.0.0.0/8,::1")),
        urgent_over_limit=int(_env("SESAME_URGENT_OVER_LIMIT", "10")),
        web_host=_env("SESAME_WEB_HOST", "127.0.0.1"),
        web_port=int(_env("SESAME_WEB_PORT", "8000")),
        rasa_public_url=_env("SESAME_RASA_PUBLIC_URL", "http://localhost:5005").rstrip("/"),
        polling_rasa_url=_env("SESAME_RASA_URL", "http://localhost:5005"),
        sesame_env=_env("SESAME_ENV"),
        public_url=_env("SESAME_PUBLIC_URL"),
        allowed_origins=_env("SESAME_ALLOWED_ORIGINS"),
        frame_ancestors=_env("SESAME_FRAME_ANCESTORS"),
        admin_username=_env("SESAME_ADMIN_USERNAME"),
        admin_name=_env("SESAME_ADMIN_NAME"),
        admin_service=_env("SESAME_ADMIN_SERVICE"),
        admin_password=_env("SESAME_ADMIN_PASSWORD"),
    )


def networks(spec: str) -> tuple:
    """'127.0.0.0/8, ::1' → the networks (an empty string: none)."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def reset_bot_settings_cache() -> None:
    """Forget cached values (tests change the environment)."""
    get_bot_settings.cache_clear()
