"""Web origins (scheme, host, port) as a Content-Security-Policy may name them.

An origin goes verbatim into a response header, so only a strict shape is let through: a
wildcard would let any site frame the chat, and a space or semicolon would add directives.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# One DNS label: letters, digits and inner hyphens; international names arrive as punycode.
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
# Plain http only where no network lies between browser and server.
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


class OriginError(ValueError):
    """Raised for text that is no origin (`code` "invalid") or an http one off loopback ("insecure")."""

    def __init__(self, value: str, code: str) -> None:
        super().__init__(f"{value!r} is not an https origin such as https://www.aarhus.dk ({code})")
        self.value = value
        self.code = code


def parse_origin(value: str) -> str:
    """Returns `value` as an origin in canonical form (lower case, punycode, no trailing slash);
    raises OriginError for anything with a path, query, user, wildcard or a scheme other than
    https (http is accepted for localhost)."""
    text = value.strip()
    if not text.isprintable() or any(character.isspace() for character in text):
        raise OriginError(value, "invalid")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise OriginError(value, "invalid") from error
    # A lone "/" is what the address bar shows for the front page: the same origin, not a path.
    if parts.path not in ("", "/") or parts.query or parts.fragment or "?" in text or "#" in text:
        raise OriginError(value, "invalid")
    if parts.username is not None or parts.password is not None or not parts.hostname or port == 0:
        raise OriginError(value, "invalid")
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise OriginError(value, "invalid")
    host = _canonical_host(parts.hostname, value)
    if scheme == "http" and host.strip("[]") not in _LOOPBACK_HOSTS:
        raise OriginError(value, "insecure")
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")


def _canonical_host(hostname: str, value: str) -> str:
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    try:
        # Danish names such as "læsø.dk" are written as browsers send them: in punycode.
        ascii_host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise OriginError(value, "invalid") from error
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise OriginError(value, "invalid")
    return ascii_host


def origins_in(text: str) -> list[str]:
    """Returns the valid origins among `text`'s lines, canonical, in order, without repeats.
    Lines that are no origin are left out: a row written past validation must not reach a header."""
    origins: list[str] = []
    for line in text.splitlines():
        try:
            origin = parse_origin(line)
        except OriginError:
            continue
        if origin not in origins:
            origins.append(origin)
    return origins


def validate_origin_lines(text: str) -> None:
    """Refuses text with a line that is not an origin, naming every such line."""
    errors = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            parse_origin(line)
        except OriginError as error:
            if error.code == "insecure":
                message = _("“%(origin)s” must begin with https:// (plain http is allowed only for localhost).")
            else:
                message = _(
                    "“%(origin)s” is not a web site address. Write https:// and the host name, and a port "
                    "if needed, e.g. https://www.aarhus.dk, without a path, wildcard or anything after it."
                )
            errors.append(ValidationError(message, code=error.code, params={"origin": line.strip()}))
    if errors:
        raise ValidationError(errors)


def comes_from_allowed_site(origin: str | None, fetch_site: str | None, allowed: Iterable[str]) -> bool:
    """Whether a request that changes something may come from where its headers say it comes from.

    A browser names the page's origin in `Origin` and tells in `Sec-Fetch-Site` whether it is
    another site's. A request with an `Origin` passes only if it is one of `allowed`; one without
    passes unless the browser says it is cross-site. One with neither header comes from no web
    page (an app, a script) and passes, as the rate limits still count it."""
    if origin is not None:
        try:
            canonical = parse_origin(origin)
        except OriginError:
            # "null" (a sandboxed frame, a file) and anything malformed; loopback http still
            # canonicalises, other plain http is compared as sent.
            canonical = origin.strip().lower()
        return canonical in {item.lower() for item in allowed}
    return fetch_site != "cross-site"
