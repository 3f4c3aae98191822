"""The action server's entry point: rasa-sdk's own Sanic app, behind a shared secret.

    python -m actions.server --actions actions.registry --port 5055

This is ``rasa run actions`` (same arguments, same app from
``rasa_sdk.endpoint.create_app``) with two differences:

* it listens on ``SANIC_HOST``, 127.0.0.1 by default (rasa-sdk's default is 0.0.0.0);
* each action runs in a worker thread (``SESAME_ACTION_THREADS``, 8 by default;
  actions/threaded_executor.py), so one resident's blocking SQL never stalls the others;
* when ``SESAME_ACTION_SECRET`` is set, every request except ``GET /health`` must carry
  it in the ``X-Sesame-Action-Secret`` header (Rasa sends it: ``action_endpoint.headers``
  in endpoints.yml / endpoints.production.yml). A request without it gets 401, one
  with a wrong value 403, and no action runs.

A call that rasa-sdk would answer with a 500 gets a 400 instead, before any action runs
(:func:`check_action_call`: a body that is not JSON, not an object, a deflate header on
data that is not deflate, a tracker or a field of the wrong type), and Sanic's own 4xx
(unknown route, wrong method) keep their status (rasa-sdk's catch-all handler made them 500).

With ``SESAME_ENV=production`` the secret is mandatory: the server refuses to start
(exit code 2, with the reason) when it is missing or shorter than
``MIN_SECRET_LENGTH`` characters. There is no default secret.
"""
from __future__ import annotations

import hmac
import json
import logging
import sys
import types
import zlib
from typing import Any, Mapping, Optional, Sequence, Union

from actions.common.settings import environment, get_settings

SECRET_ENV = "SESAME_ACTION_SECRET"
SECRET_HEADER = "X-Sesame-Action-Secret"
MIN_SECRET_LENGTH = 32
OPEN_PATHS = frozenset({"/health"})

logger = logging.getLogger(__name__)


class SecretConfigError(RuntimeError):
    """The environment does not allow the action server to start."""


def is_production(env: Mapping[str, str]) -> bool:
    """SESAME_ENV=production (any case); anything else is development."""
    return env.get("SESAME_ENV", "").strip().lower() == "production"


def action_secret(env: Mapping[str, str]) -> Optional[str]:
    """The shared secret the action server requires, or None when calls stay open.

    Raises SecretConfigError in production when the secret is missing or short.
    """
    secret = env.get(SECRET_ENV, "").strip()
    if is_production(env):
        if not secret:
            raise SecretConfigError(
                f"SESAME_ENV=production but {SECRET_ENV} is not set: the action server refuses "
                f"to start without the shared secret Rasa sends in {SECRET_HEADER} "
                f"(generate one with: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if len(secret) < MIN_SECRET_LENGTH:
            raise SecretConfigError(
                f"SESAME_ENV=production but {SECRET_ENV} is {len(secret)} characters long: "
                f"at least {MIN_SECRET_LENGTH} are required "
                f"(generate one with: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
    elif secret and len(secret) < MIN_SECRET_LENGTH:
        logger.warning("%s is shorter than %d characters; production would refuse it.",
                       SECRET_ENV, MIN_SECRET_LENGTH)
    return secret or None


def check_hash_salt(env: Mapping[str, str]) -> None:
    """In production, the key of pseudonyms and signed links (SESAME_HASH_SALT) must be set.

    Without it every deployment would share the development default: anyone could then
    compute a resident's pseudonym from their number, or forge an export or .ics link.
    """
    salt = env.get("SESAME_HASH_SALT", "").strip()
    if is_production(env) and (len(salt) < MIN_SECRET_LENGTH or salt == "sesame-dev-salt"):
        raise SecretConfigError(
            "SESAME_ENV=production but SESAME_HASH_SALT is missing, short or the development default: "
            "set a random value of at least 32 characters and keep it (pseudonyms and links depend on it)."
        )


def secret_matches(provided: Optional[str], secret: str) -> bool:
    """Constant-time comparison of the header's value with the secret."""
    if provided is None:
        return False
    # Sanic keeps non-UTF-8 header bytes as lone surrogates: encode them back, or "\x80" was a 500.
    return hmac.compare_digest(provided.encode("utf-8", "surrogateescape"), secret.encode("utf-8"))


def require_secret(app, secret: str) -> None:  # type: ignore[no-untyped-def]
    """Add a request middleware that rejects calls without the right secret header."""
    from sanic import response

    async def check_secret(request):  # type: ignore[no-untyped-def]
        if request.method in {"GET", "HEAD"} and request.path in OPEN_PATHS:
            return None
        provided = request.headers.get(SECRET_HEADER)
        if provided is None:
            logger.warning("action server: %s %s refused, no %s header", request.method, request.path,
                           SECRET_HEADER)
            return response.json({"error": f"missing {SECRET_HEADER} header"}, status=401)
        if not secret_matches(provided, secret):
            logger.warning("action server: %s %s refused, wrong %s", request.method, request.path,
                           SECRET_HEADER)
            return response.json({"error": f"wrong {SECRET_HEADER}"}, status=403)
        return None

    app.register_middleware(check_secret, "request")


class ActionCallInvalid(ValueError):
    """A POST /webhook body that is not an action call Rasa could have sent (answered 400)."""


# The fields of an action call rasa-sdk reads, with the types it needs (None: may be absent).
_TRACKER_FIELDS = {"slots": dict, "latest_message": dict, "events": list, "active_loop": dict,
                   "active_form": dict, "followup_action": str, "latest_action_name": str}


def check_action_call(body: bytes, deflate: bool) -> None:
    """Raise ActionCallInvalid when ``body`` cannot be an action call (rasa-sdk would fail with a 500)."""
    try:
        raw = zlib.decompress(body) if deflate else body
        call: Any = json.loads(raw)
    except (zlib.error, ValueError) as exc:  # not deflate data, not UTF-8, not JSON
        raise ActionCallInvalid("the body must be a JSON action call" + (" (deflate)" if deflate else "")) from exc
    if not isinstance(call, dict):
        raise ActionCallInvalid("the action call must be a JSON object")
    if not isinstance(call.get("version"), (str, type(None))):
        raise ActionCallInvalid("version must be a string")
    if call.get("next_action") is None:
        return  # rasa-sdk answers "no action" itself
    if not isinstance(call["next_action"], str):
        raise ActionCallInvalid("next_action must be a string")
    tracker = call.get("tracker")
    if not isinstance(tracker, dict) or not isinstance(tracker.get("sender_id"), str):
        raise ActionCallInvalid("tracker must be an object with a sender_id string")
    for name, kind in _TRACKER_FIELDS.items():
        if tracker.get(name) is not None and not isinstance(tracker[name], kind):
            raise ActionCallInvalid(f"tracker.{name} must be a {kind.__name__}")
    if not all(isinstance(event, dict) for event in tracker.get("events") or []):
        raise ActionCallInvalid("tracker.events must be a list of objects")
    if not isinstance(call.get("domain", {}), dict):
        raise ActionCallInvalid("domain must be an object")


def refuse_invalid_calls(app) -> None:  # type: ignore[no-untyped-def]
    """400 for a POST /webhook that is no action call; Sanic's 4xx stay 4xx (not rasa-sdk's 500)."""
    from sanic import response
    from sanic.exceptions import SanicException

    async def check_call(request):  # type: ignore[no-untyped-def]
        if request.method != "POST" or request.path != "/webhook":
            return None
        try:
            check_action_call(request.body or b"", request.headers.get("Content-Encoding") == "deflate")
        except ActionCallInvalid as exc:
            logger.warning("action server: call refused, %s", exc)
            return response.json({"error": str(exc)}, status=400)
        return None

    def keep_status(request, exception: SanicException):  # type: ignore[no-untyped-def]
        return response.json({"error": str(exception)}, status=getattr(exception, "status_code", 400))

    app.register_middleware(check_call, "request")
    app.error_handler.add(SanicException, keep_status)


def create_app(action_package_name: Union[str, types.ModuleType] = "actions.registry",
               secret: Optional[str] = None,
               cors_origins: Union[str, Sequence[str], None] = None,
               auto_reload: bool = False):  # type: ignore[no-untyped-def]
    """rasa-sdk's app for these actions, with the secret check when a secret is given.

    Actions run in worker threads (actions/threaded_executor.py): rasa-sdk's create_app builds
    its executor from the name ``ActionExecutor`` in ``rasa_sdk.endpoint``, which is pointed
    at the threaded one for that call only.
    """
    import rasa_sdk.endpoint as sdk_endpoint

    from actions.threaded_executor import ThreadedActionExecutor

    settings = get_settings()
    stock = sdk_endpoint.ActionExecutor
    sdk_endpoint.ActionExecutor = lambda: ThreadedActionExecutor(  # type: ignore[assignment,misc]
        settings.action_threads, settings.action_budget_ms)
    try:
        app = sdk_endpoint.create_app(action_package_name, cors_origins=cors_origins, auto_reload=auto_reload)
    finally:
        sdk_endpoint.ActionExecutor = stock  # type: ignore[misc]
    if secret:
        require_secret(app, secret)
    refuse_invalid_calls(app)  # after the secret check: an unauthenticated call learns nothing
    return app


def main(argv: Optional[Sequence[str]] = None) -> None:
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_argument_parser, create_ssl_context
    from rasa_sdk.plugin import plugin_manager

    args = create_argument_parser().parse_args(argv)
    # The same logging set-up as rasa_sdk.__main__ (what `rasa run actions` runs).
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file,
                                 args.loglevel, args.logging_config_file)
    utils.update_sanic_log_level()

    try:
        secret = action_secret(environment())
        check_hash_salt(environment())
    except SecretConfigError as error:
        print(f"actions.server: {error}", file=sys.stderr, flush=True)
        raise SystemExit(2)
    if secret is None:
        logger.warning("%s is not set: the action server accepts calls without a secret "
                       "(development only; SESAME_ENV=production requires it).", SECRET_ENV)

    app = create_app(args.actions or "actions.registry", secret=secret, cors_origins=args.cors,
                     auto_reload=args.auto_reload)
    if (args.actions or "actions.registry") == "actions.registry":
        from actions.warm_up import warm_up

        warm_up()  # before the first resident: see actions/warm_up.py
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    host = get_settings().sanic_host
    protocol = "https" if ssl_context else "http"
    logger.info("Action endpoint is up and running on %s://%s:%s (secret %s)", protocol, host, args.port,
                "required" if secret else "not required")
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
