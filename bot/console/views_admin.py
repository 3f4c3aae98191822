"""Admin pages: the console's accounts and the audit log (a conseiller gets 403 here)."""
from __future__ import annotations

from aiohttp import web

from actions.handoff import accounts, audit, queue
from actions.handoff.models import ROLES
from bot.console.auth import Identity, admin_only
from bot.console.context import in_db, now, render, row_id

ROLE_LABELS = {"conseiller": "Conseiller", "admin": "Administrateur"}


async def _accounts_page(request: web.Request, *, status: int = 200, error: str = "", notice: str = "",
                         form: dict | None = None) -> web.Response:
    users = await in_db(request, queue.list_users)
    return render(request, "accounts.html", status=status, title="Comptes", users=users, error=error,
                  notice=notice, form=form or {}, roles=ROLE_LABELS, nav="accounts")


@admin_only
async def accounts_page(request: web.Request) -> web.Response:
    notices = {"cree": "Le compte est créé. Donnez le mot de passe à la personne de vive voix.",
               "desactive": "Le compte est désactivé. Ses sessions sont fermées."}
    return await _accounts_page(request, notice=notices.get(request.query.get("info", ""), ""))


@admin_only
async def create_account(request: web.Request) -> web.StreamResponse:
    admin: Identity = request["user"]
    form = await request.post()
    fields = {k: str(form.get(k, "")).strip() for k in ("username", "display_name", "service", "role")}
    password = str(form.get("password", ""))
    if fields["role"] not in ROLES:
        return await _accounts_page(request, status=400, error="Choisissez un rôle.", form=fields)
    moment = now(request)

    def _write(session):  # type: ignore[no-untyped-def]
        user = accounts.create_user(session, fields["username"], fields["display_name"], password, fields["role"],
                                    moment, service=fields["service"] or "CCAS")
        audit.record(session, admin, "compte_cree", moment, detail=f"{user.username} ({user.role})")

    try:
        await in_db(request, _write)
    except accounts.AccountError as exc:
        return await _accounts_page(request, status=400, error=str(exc), form=fields)
    raise web.HTTPSeeOther(str(request.app.router["accounts"].url_for()) + "?info=cree")


@admin_only
async def disable_account(request: web.Request) -> web.StreamResponse:
    admin: Identity = request["user"]
    user_id = row_id(request.match_info["id"])
    if user_id == admin.id:
        return await _accounts_page(request, status=400, error="Vous ne pouvez pas désactiver votre propre compte.")
    moment = now(request)

    def _write(session):  # type: ignore[no-untyped-def]
        user = queue.disable_user(session, user_id, moment)
        audit.record(session, admin, "compte_desactive", moment, detail=user.username)

    try:
        await in_db(request, _write)
    except LookupError:
        raise web.HTTPNotFound(text="Ce compte n'existe pas.") from None
    raise web.HTTPSeeOther(str(request.app.router["accounts"].url_for()) + "?info=desactive")


@admin_only
async def journal_page(request: web.Request) -> web.Response:
    case_id = request.query.get("demande", "")
    # isdecimal, not isdigit ("²" is a digit int() refuses); row_id: 404 past the largest id.
    wanted = row_id(case_id) if case_id.isdecimal() else None
    entries = await in_db(request, lambda s: audit.recent(s, 300, wanted))
    return render(request, "journal.html", title="Journal", entries=entries, nav="journal")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/comptes", accounts_page, name="accounts")
    app.router.add_post("/comptes", create_account, name="create_account")
    app.router.add_post(r"/comptes/{id:\d+}/desactiver", disable_account, name="disable_account")
    app.router.add_get("/journal", journal_page, name="journal")
