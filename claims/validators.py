"""Web addresses that readers click: one normaliser and one validator, which the Evidence model
field, the admin's form and the API's serializer all apply, so that every path stores the same
address and refuses the same ones.

What the validators check is the address as written; they look up no name, so loading fixtures
or the seed registry needs no DNS. The admin's form and the API's serializer also call
`public_address_refusal` for a new address, which refuses a name that already resolves to a
private address; the fetcher refuses one that resolves there later, on every fetch.
"""

from __future__ import annotations

import ipaddress
import socket
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

# Only web links: no javascript:, data:, ftp: or scheme-less addresses in anything a reader clicks.
# (Kept under this name: migrations refer to it.)
validate_http_url = URLValidator(
    schemes=["http", "https"], message="Enter a full web address starting with http:// or https://."
)

# Names that never lead to a public page (RFC 6761, RFC 8375, ICANN's .internal).
LOCAL_NAME_SUFFIXES = ("localhost", "local", "localdomain", "internal", "home.arpa")

# NAT64's well-known prefix carries an IPv4 address in its last 32 bits (RFC 6052).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

# Scripts that one language writes together, counted as one when looking for mixed scripts.
_HAN_FAMILY = {"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC"}


def normalize_web_address(value: str) -> str:
    """The address as it is stored and shown: surrounding spaces dropped, the scheme and host in
    lower case (they are case-insensitive: "HTTP://EXAMPLE.ORG/" is "http://example.org/"), and a
    host name that mixes scripts ("аpple.com" with a Cyrillic "а") in punycode, so that it looks
    like what it is. Path, query and fragment are left as written. Anything unreadable is
    returned as it came, for the validator to refuse."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return value
    if not parts.scheme or not parts.netloc:
        return value
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if hostport.startswith("["):  # an IPv6 literal: "[::1]:8080"
        host, _, rest = hostport.partition("]")
        host, port = host + "]", rest
    else:
        host, colon, port = hostport.partition(":")
        port = colon + port
    host = ".".join(_displayable_label(label) for label in host.lower().split("."))
    netloc = f"{userinfo}{at}{host}{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


def validate_web_address(value: str) -> None:
    """A full http(s) address of a public page: refused, with the reason, if it carries a user
    name or password, or names this machine, a local network name or a literal address that is
    not public (loopback, private, link-local such as 169.254.169.254, reserved)."""
    validate_http_url(value)
    parts = urlsplit(value)
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            "Remove the user name and password from the address: a link readers see must not "
            "carry credentials.",
            code="credentials",
        )
    host = (parts.hostname or "").rstrip(".")
    if any(host == suffix or host.endswith("." + suffix) for suffix in LOCAL_NAME_SUFFIXES):
        raise ValidationError(
            "%(host)s names this machine or one on a local network, not a public web page.",
            code="local_address",
            params={"host": host},
        )
    address = _literal_address(host)
    if address is not None and not address.is_global:
        raise ValidationError(
            "%(host)s is %(kind)s, not a public web address.",
            code="private_address",
            params={"host": host, "kind": _kind_of(address)},
        )


def _displayable_label(label: str) -> str:
    if label.isascii() or not _mixes_scripts(label):
        return label
    try:
        return label.encode("idna").decode("ascii")
    except UnicodeError:  # not a valid IDN label: the validator refuses the address
        return label


def _mixes_scripts(label: str) -> bool:
    scripts = set()
    for char in label:
        if not char.isalpha():
            continue
        script = unicodedata.name(char, "UNKNOWN").split()[0]
        scripts.add("HAN" if script in _HAN_FAMILY else script)
    return len(scripts) > 1


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address a host is written as, also in the forms a browser still reads as one
    ("2130706433", "0x7f.1", "127.1"), and the IPv4 address inside a mapped or NAT64 IPv6 one."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _kind_of(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if address.is_loopback:
        return "a loopback address (this machine)"
    if address.is_link_local:
        return "a link-local address (such as a cloud server's metadata service)"
    if address.is_private:
        return "a private-network address"
    return "a reserved address"


def public_address_refusal(url: str) -> str | None:
    """Why an evidence or article URL cannot be kept, if its name already resolves to an
    address the fetcher refuses (a private, loopback or metadata address), else None.

    Called by the admin's form and the API's serializer when an editor gives a new address,
    not by the model's validators: loading fixtures or the seed registry looks up no name. A
    name that does not resolve yet passes; the fetcher checks again on every fetch.
    """
    from claims import fetching

    # The resolver is looked up at each call, so that a test can answer for a name of its own.
    reason = fetching.url_refusal(url, resolve=fetching.resolve_host)
    if reason is None:
        return None
    return f"This address cannot be used: {reason}. Only pages on the public web can be checked."
