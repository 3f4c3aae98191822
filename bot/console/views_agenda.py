"""Today's appointments, per place (phone numbers masked, as on the printed agenda)."""
from __future__ import annotations

import asyncio
from collections import OrderedDict

from aiohttp import web

from actions.booking.agenda import STATUS_FR, day_agenda
from bot.console.context import ENGINE, PARIS, now, render


async def appointments_page(request: web.Request) -> web.Response:
    today = now(request).astimezone(PARIS).date()
    lines = await asyncio.get_running_loop().run_in_executor(None, lambda: day_agenda(request.app[ENGINE], today))
    by_place: "OrderedDict[str, list]" = OrderedDict()
    for line in sorted(lines, key=lambda row: (row.place, row.start)):
        by_place.setdefault(line.place, []).append(line)
    return render(request, "appointments.html", title="Rendez-vous du jour", today=today, by_place=by_place,
                  status_labels=STATUS_FR, nav="appointments")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/rendez-vous", appointments_page, name="appointments")
