"""aiohttp 3.9.5 with yarl >= 1.10: ``request.url`` fails when the Host header carries a port.

aiohttp 3.9's ``BaseRequest.url`` calls ``URL.build(host="127.0.0.1:8000")``, which newer
yarl releases (the pinned 1.25.1) reject. Routing into a sub-application reads
``request.url``, so without this every request reaching ``/console/`` (and every unmatched
path of the web server, which the router tries against the sub-application last) would fail
with a 500. aiohttp 3.10 builds it with ``authority=``; :func:`fix_request_url` installs that
same implementation, only when the installed pair is the broken one. Remove it once aiohttp
is upgraded (``tests/console/test_mount.py`` checks both the detection and the behaviour).
"""
from __future__ import annotations

from aiohttp import web
from aiohttp.helpers import reify
from yarl import URL


def request_url_is_broken() -> bool:
    """Build the URL of a request whose Host header has a port, as the router would."""
    from aiohttp.test_utils import make_mocked_request

    try:
        make_mocked_request("GET", "/console/", headers={"Host": "127.0.0.1:8000"}).url
    except ValueError:
        return True
    return False


def _url(self: web.BaseRequest) -> URL:
    # aiohttp 3.10's implementation: the authority may include the port number.
    return URL.build(scheme=self.scheme, authority=self.host).join(self._rel_url)


def fix_request_url() -> bool:
    """Install aiohttp 3.10's ``BaseRequest.url`` when needed; True when it was installed."""
    if not request_url_is_broken():
        return False
    web.BaseRequest.url = reify(_url)  # type: ignore[method-assign,assignment]
    return True
