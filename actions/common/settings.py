"""Runtime configuration of the action server, the worker and messaging/, read once from the environment.

Every tunable lives here or, for the Rasa and web processes alone, in ``bot/settings.py``,
so that a deployment changes behaviour through the environment only; modules call
:func:`get_settings` instead of ``os.environ`` (``tests/common/test_settings_reads.py``
fails on any other read).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("SESAME_VAR_DIR", ROOT / "var"))


@dataclass(frozen=True)
class Settings:
    """Typed view of the environment; defaults give the embedded SQLite mode."""

    database_url: str
    timezone: str
    data_dir: Path
    var_dir: Path
    sms_provider: str
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_from_number: str
    public_base_url: str
    telegram_token: str
    telegram_secret: str
    hash_salt: str
    tracker_url: str
    conversation_retention_days: int  # = retention_conversations_days (older name, kept for callers)
    handoff_hours: str
    handoff_delay_days: int
    case_retention_days: int  # = retention_cases_days (older name, kept for callers)
    case_waiting_expiry_days: int
    case_new_expiry_days: int
    console_session_minutes: int
    console_max_failures: int
    console_lockout_minutes: int
    rasa_url: str
    rasa_token: str
    # Retention per kind of personal data, in days (docs/donnees-personnelles.md justifies each default).
    retention_conversations_days: int
    retention_cases_days: int
    retention_consents_days: int
    retention_appointments_days: int
    retention_outbox_days: int
    retention_audit_days: int
    retention_logs_days: int
    # Worker threads of the action server: each runs action calls on its own event loop, so
    # one resident's SQL or file work never stalls the others' (actions/threaded_executor.py).
    action_threads: int = 8
    # A repeated action call slower than this is logged as "slow path" (actions/slow_path.py).
    action_budget_ms: int = 250
    # messaging/: where the development SMS provider writes, and the providers' API locations
    # (tests point them at fakes). Here, not in bot/settings.py, because the worker sends too.
    sms_outbox: Path = VAR_DIR / "sms_outbox.jsonl"
    twilio_api_base_url: str = "https://api.twilio.com"
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    # The action server's bind address (rasa-sdk's own variable).
    sanic_host: str = "127.0.0.1"
    # The notification worker: its name in logs and pg_stat_activity (default worker-<pid>), the
    # standby's poll interval, and its health endpoint (port 0: none).
    worker_name: str = ""
    worker_standby_poll: float = 1.0
    worker_health_host: str = "127.0.0.1"
    worker_health_port: int = 0


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


#: Retention settings: (variable, older variable still read when the new one is unset, default days).
RETENTION_SETTINGS = {
    "conversations": ("SESAME_RETENTION_CONVERSATIONS_DAYS", "SESAME_CONVERSATION_RETENTION_DAYS", 30),
    "cases": ("SESAME_RETENTION_CASES_DAYS", "SESAME_CASE_RETENTION_DAYS", 183),
    "consents": ("SESAME_RETENTION_CONSENTS_DAYS", None, 365),
    "appointments": ("SESAME_RETENTION_APPOINTMENTS_DAYS", None, 90),
    "outbox": ("SESAME_RETENTION_OUTBOX_DAYS", None, 30),
    "audit": ("SESAME_RETENTION_AUDIT_DAYS", None, 365),
    "logs": ("SESAME_RETENTION_LOGS_DAYS", None, 30),
}


def retention_days(kind: str, env: Mapping[str, str] | None = None) -> int:
    """Days a kind of personal data is kept: the new variable, else its older alias, else the default.

    A retention must be a whole number of days, at least 1: a typo must not erase everything.
    """
    values: Mapping[str, str] = os.environ if env is None else env
    name, alias, default = RETENTION_SETTINGS[kind]
    raw, source = values.get(name, ""), name
    if not raw.strip() and alias:
        raw, source = values.get(alias, ""), alias
    if not raw.strip():
        return default
    try:
        days = int(raw.strip())
    except ValueError:
        raise ValueError(f"{source} must be a whole number of days, not {raw!r}") from None
    if days < 1:
        raise ValueError(f"{source} must be at least 1 day, not {days}")
    return days


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (cached: the environment is read once)."""
    var_dir = VAR_DIR
    return Settings(
        database_url=_env("DATABASE_URL", f"sqlite:///{var_dir / 'sesame.db'}"),
        timezone=_env("SESAME_TIMEZONE", "Europe/Paris"),
        data_dir=Path(_env("SESAME_DATA_DIR", str(ROOT / "data"))),
        var_dir=var_dir,
        sms_provider=_env("SMS_PROVIDER", "log"),
        twilio_account_sid=_env("TWILIO_ACCOUNT_SID"),
        twilio_auth_token=_env("TWILIO_AUTH_TOKEN"),
        twilio_from_number=_env("TWILIO_FROM_NUMBER"),
        public_base_url=_env("SESAME_PUBLIC_URL", "http://localhost:8000"),
        telegram_token=_env("TELEGRAM_TOKEN"),
        telegram_secret=_env("TELEGRAM_SECRET_TOKEN"),
        hash_salt=_env("SESAME_HASH_SALT", "sesame-dev-salt"),
        tracker_url=tracker_store_url(dict(os.environ), var_dir),
        conversation_retention_days=retention_days("conversations"),
        # When the conseillers read the queue (OSM opening_hours; PH = French public holidays).
        handoff_hours=_env("SESAME_HANDOFF_HOURS", "Mo-Fr 09:00-12:00,14:00-17:00; PH off"),
        handoff_delay_days=int(_env("SESAME_HANDOFF_DELAY_DAYS", "2")),
        case_retention_days=retention_days("cases"),
        case_waiting_expiry_days=int(_env("SESAME_CASE_WAITING_EXPIRY_DAYS", "14")),
        case_new_expiry_days=int(_env("SESAME_CASE_NEW_EXPIRY_DAYS", "30")),
        console_session_minutes=int(_env("SESAME_CONSOLE_SESSION_MINUTES", "480")),
        console_max_failures=int(_env("SESAME_CONSOLE_MAX_FAILURES", "5")),
        console_lockout_minutes=int(_env("SESAME_CONSOLE_LOCKOUT_MINUTES", "15")),
        rasa_url=_env("SESAME_RASA_URL", "http://127.0.0.1:5005"),
        rasa_token=_env("SESAME_RASA_TOKEN"),
        retention_conversations_days=retention_days("conversations"),
        retention_cases_days=retention_days("cases"),
        retention_consents_days=retention_days("consents"),
        retention_appointments_days=retention_days("appointments"),
        retention_outbox_days=retention_days("outbox"),
        retention_audit_days=retention_days("audit"),
        retention_logs_days=retention_days("logs"),
        action_threads=max(1, int(_env("SESAME_ACTION_THREADS", "8"))),
        action_budget_ms=max(1, int(_env("SESAME_ACTION_BUDGET_MS", "250"))),
        sms_outbox=Path(_env("SMS_OUTBOX", str(var_dir / "sms_outbox.jsonl"))),
        twilio_api_base_url=_env("TWILIO_API_BASE_URL", "https://api.twilio.com").rstrip("/"),
        telegram_api_base_url=_env("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        sanic_host=_env("SANIC_HOST", "127.0.0.1"),
        worker_name=_env("SESAME_WORKER_NAME"),
        worker_standby_poll=float(_env("SESAME_WORKER_STANDBY_POLL", "1")),
        worker_health_host=_env("SESAME_WORKER_HEALTH_HOST", "127.0.0.1"),
        worker_health_port=int(_env("SESAME_WORKER_HEALTH_PORT", "0") or 0),
    )


def environment() -> Mapping[str, str]:
    """The raw environment, for the start-up checks that name the variable they refuse.

    ``actions/server.py`` validates SESAME_ENV, SESAME_ACTION_SECRET and SESAME_HASH_SALT
    on a mapping (tests pass plain dicts); this is the one place it comes from.
    """
    return os.environ


def tracker_store_url(env: dict[str, str], var_dir: Path) -> str:
    """Rasa's tracker store as a SQLAlchemy URL, from the variables the endpoints files read."""
    if env.get("SESAME_TRACKER_URL"):
        return env["SESAME_TRACKER_URL"]
    if env.get("POSTGRES_HOST"):  # endpoints.production.yml
        password = quote(env.get("POSTGRES_PASSWORD", ""), safe="")
        auth = env.get("POSTGRES_USER", "postgres") + (f":{password}" if password else "")
        return (f"postgresql://{auth}@{env['POSTGRES_HOST']}:{env.get('POSTGRES_PORT', '5432')}"
                f"/{env.get('POSTGRES_DB', 'rasa')}")
    return f"sqlite:///{env.get('SESAME_TRACKER_DB', str(var_dir / 'tracker.db'))}"


def reset_settings_cache() -> None:
    """Forget the cached settings (tests change the environment)."""
    get_settings.cache_clear()
