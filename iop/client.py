"""The client's address: one answer for sign-in throttling, the access log and the audit trail.

Behind TRUSTED_PROXY_COUNT reverse proxies (settings), each proxy appends the address it
saw to X-Forwarded-For, so the client is that many entries from the right. Entries further
left are whatever the client wrote and are ignored; without proxies the header is ignored
altogether (anyone could write it). Set the count to the number of proxies in front of the
app: with 0 behind a proxy every client has the proxy's address, so five wrong passwords
from anyone lock out everyone at that address.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

log = logging.getLogger("iop.security")

_warned_unconfigured_proxy = False


def _valid(address: str) -> str | None:
    """The address if it is one (an IPv4 "address:port" loses its port), else None."""
    candidate = address.strip()
    if candidate.count(":") == 1 and "." in candidate:
        candidate = candidate.split(":", 1)[0]
    candidate = candidate.removeprefix("[").split("]", 1)[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client as the outermost trusted proxy (or this server) saw it."""
    proxies: int = settings.IOP_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies:
        hops = [hop for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = _valid(hops[-proxies])
            if address is not None:
                return address
    elif forwarded:
        _warn_unconfigured_proxy()
    return _valid(request.META.get("REMOTE_ADDR", "") or "")


def _warn_unconfigured_proxy() -> None:
    # Once per process: a proxy is in front (it wrote the header) but the setting says
    # none, so every client shares the proxy's address for throttling and the logs.
    global _warned_unconfigured_proxy
    if not _warned_unconfigured_proxy:
        _warned_unconfigured_proxy = True
        log.warning(
            "X-Forwarded-For received but TRUSTED_PROXY_COUNT=0: every client has the "
            "proxy's address; set TRUSTED_PROXY_COUNT to the number of proxies"
        )
