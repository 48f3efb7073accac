"""The one way the registry fetches a page from the web: evidence links, snapshots, article URLs.

A URL an editor or a reader typed is untrusted. It must never make the server reach its own
loopback, its private network or the cloud's metadata address (server-side request forgery),
and a hostile or merely broken server must not hang a job or fill its memory. So `fetch`:

1. accepts http and https only;
2. resolves the host once and refuses it unless *every* address it resolves to is public
   (`ipaddress.is_global`) or in `settings.FETCH_ALLOWED_PRIVATE_ADDRESSES`;
3. connects to that checked address and nowhere else: the network backend below is the only
   thing that opens sockets, it knows only the addresses checked for this fetch and never
   resolves a name itself, so a DNS answer that changes between the check and the connection
   (DNS rebinding) cannot redirect it. The URL is left as it was, so the Host header, the TLS
   server name (SNI) and the certificate check all use the original name;
4. follows at most `MAX_REDIRECTS` redirects, checking each new host the same way;
5. stops at `MAX_BYTES` of body, at `CONNECT_TIMEOUT` for a connection and at a total deadline
   that every socket operation honours (a server that trickles bytes, even in its headers, is
   cut off when the deadline passes);
6. never raises for a network failure: it returns a `FetchResult` whose `error` says what went
   wrong (`FailureKind`) and why, e.g. "10.0.0.5 is a private address".

A 404 or a 500 is not an error here: it is an answer, recorded in `status_code`, for the caller
(the link-health job) to judge. One call makes one attempt; retrying is the caller's business.
"""

from __future__ import annotations

import enum
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

import httpcore
import httpx
from django.conf import settings

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 5.0  # seconds, per connection attempt
TOTAL_TIMEOUT = 20.0  # seconds, for the whole fetch: every redirect, the headers and the body
# Answers to HEAD that usually mean "this server does not do HEAD", not "this page is gone":
# 405 and 501 by the book; 400 and 403 from servers and firewalls that mishandle HEAD.
HEAD_REFUSED_STATUSES = frozenset({400, 403, 405, 501})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TEXT_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})

Resolver = Callable[[str, int], Sequence[str]]


class FailureKind(enum.StrEnum):
    INVALID_URL = "invalid_url"
    SCHEME = "scheme"  # not http or https
    DNS = "dns"  # the name does not resolve
    REFUSED_ADDRESS = "refused_address"  # resolves to an address we must not reach
    CONNECTION = "connection"  # refused, reset, unreachable, or not speaking HTTP
    TLS = "tls"  # handshake or certificate failure
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    NOT_TEXT = "not_text"  # the caller asked for HTML or text and got something else


@dataclass(frozen=True)
class Redirect:
    """One redirect answered on the way: this URL answered `status_code`, pointing on."""

    url: str
    status_code: int
    location: str


@dataclass
class FetchResult:
    """What one fetch found: enough for a link check, a snapshot or an article's intake."""

    url: str  # as asked
    final_url: str  # the last URL requested (after redirects), or where it failed
    status_code: int | None = None  # of the last answer; None when no answer came
    redirects: list[Redirect] = field(default_factory=list)
    content_type: str = ""  # the media type only, lower case, e.g. "text/html"
    body: bytes | None = None  # GET's body, decoded from any Content-Encoding, within MAX_BYTES
    size: int | None = None  # bytes of body read, or Content-Length when the body was not read
    method: str = "GET"  # of the last request: a link check's HEAD, or GET after HEAD was refused
    elapsed: float = 0.0  # seconds, for the whole fetch
    error_kind: FailureKind | None = None
    error: str = ""  # for people: what went wrong, and why

    @property
    def failed(self) -> bool:
        """No usable answer: nothing came back, or the fetcher refused what came."""
        return self.error_kind is not None


class _Failure(Exception):
    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, as the system resolver answers (one lookup)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


@cache
def _allowed_networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry) for entry in entries)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), which is what it reaches."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _describe(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if address == ipaddress.ip_address("169.254.169.254"):
        return "the cloud metadata address"
    for test, words in (
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_unspecified", "an unspecified address"),
        ("is_multicast", "a multicast address"),
    ):
        if getattr(address, test):
            return words
    if address.version == 6 and address in ipaddress.ip_network("fc00::/7"):
        return "an IPv6 unique-local address"
    if address.is_private:
        return "a private address"
    return "not a public address"


def refusal(address: str) -> str | None:
    """Why the fetcher must not connect to `address` ("a loopback address"), or None if it may."""
    parsed = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone ("%eth0")
    allowed = _allowed_networks(tuple(settings.FETCH_ALLOWED_PRIVATE_ADDRESSES))
    if any(parsed in network for network in allowed if network.version == parsed.version):
        return None
    if parsed.version == 6 and (inner := _embedded_ipv4(parsed)) is not None:
        reason = refusal(str(inner))
        return f"{inner} in IPv6 form, {reason}" if reason else None
    # Python counts some multicast ranges (224.0.0.0/4, ff0e::/16) as global; no page lives there.
    if parsed.is_global and not parsed.is_multicast:
        return None
    return _describe(parsed)


def url_refusal(url: str, *, resolve: Resolver = resolve_host) -> str | None:
    """Why `fetch` would refuse `url` before connecting, or None: for checking a URL on save.

    A name that does not resolve (yet) is not refused here; `fetch` checks again, always.
    """
    try:
        _checked_target(url, resolve)
    except _Failure as failure:
        return None if failure.kind == FailureKind.DNS else failure.message
    return None


def _checked_addresses(host: str, port: int, resolve: Resolver) -> list[str]:
    """The addresses `host` resolves to, all of them allowed; else _Failure saying why."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    else:  # a literal address: nothing to look up
        if (reason := refusal(host)) is not None:
            raise _Failure(FailureKind.REFUSED_ADDRESS, f"{host} is {reason}")
        return [host]
    try:
        addresses = list(resolve(host, port))
    except (OSError, UnicodeError) as error:
        raise _Failure(FailureKind.DNS, f"{host} does not resolve ({error})") from None
    if not addresses:
        raise _Failure(FailureKind.DNS, f"{host} does not resolve")
    for address in addresses:
        if (reason := refusal(address)) is not None:
            raise _Failure(FailureKind.REFUSED_ADDRESS, f"{host} resolves to {address}, {reason}")
    return addresses


def _checked_target(url: str, resolve: Resolver) -> tuple[httpx.URL, str, int, list[str]]:
    """The parsed URL, its host, port and checked addresses; else _Failure saying why."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError) as error:
        raise _Failure(
            FailureKind.INVALID_URL, f"{url!r} is not a valid address ({error})"
        ) from None
    if parsed.scheme not in ("http", "https"):
        raise _Failure(
            FailureKind.SCHEME,
            f"{url!r}: only http and https addresses are fetched, not {parsed.scheme or 'none'}",
        )
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise _Failure(FailureKind.INVALID_URL, f"{url!r} names no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed, host, port, _checked_addresses(host, port, resolve)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation ends by the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def _timeout(self, timeout: float | None, error: type[Exception]) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise error("the total timeout passed")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context, server_hostname, self._timeout(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream, self._deadline)

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Opens connections only to the addresses checked for this fetch, never by name."""

    def __init__(self, deadline: float) -> None:
        self._inner = httpcore.SyncBackend()
        self._deadline = deadline
        self._addresses: dict[tuple[str, int], list[str]] = {}

    def pin(self, host: str, port: int, addresses: Iterable[str]) -> None:
        self._addresses[(host, port)] = list(addresses)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._addresses.get((host, port))
        if not addresses:  # only reachable if httpx asked for a host we did not check
            raise httpcore.ConnectError(f"{host}:{port} was not checked; not connecting")
        error: Exception | None = None
        for address in addresses:  # in the resolver's order, as socket.create_connection does
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise httpcore.ConnectTimeout("the total timeout passed")
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=min(timeout or CONNECT_TIMEOUT, remaining),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as failure:
                error = failure
                continue
            return _DeadlineStream(stream, self._deadline)
        assert error is not None
        raise error

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport, with its connection pool opening sockets through our backend."""

    def __init__(self, backend: _PinnedBackend, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context, trust_env=False)
        # httpx 0.28 builds its pool without a way to pass a network backend; build it again
        # with one (the same arguments httpx uses, minus proxies, which we never want here).
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, max_connections=4, network_backend=backend
        )


@cache
def _default_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle takes milliseconds: once per process, not per fetch.
    return httpx.create_ssl_context(trust_env=False)


def user_agent() -> str:
    return f"ClaimRegistry/1.0 (evidence checker; +{settings.SITE_URL})"


def fetch(
    url: str,
    *,
    head_first: bool = False,
    text_only: bool = False,
    total_timeout: float = TOTAL_TIMEOUT,
    connect_timeout: float = CONNECT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
    resolve: Resolver = resolve_host,
    ssl_context: ssl.SSLContext | None = None,
) -> FetchResult:
    """Fetch `url` safely (see the module's docstring); never raises for a network failure.

    By default a GET whose body (at most `max_bytes`) is kept, for snapshots and intake.
    `head_first=True` is a link check: HEAD, then GET when the server refuses HEAD
    (`HEAD_REFUSED_STATUSES`), never reading a body. `text_only=True` records a body that is
    not HTML or plain text as a `NOT_TEXT` failure, without reading it.
    `resolve` and `ssl_context` exist for tests: a resolver whose answers a test controls, and
    the certificate authority of a test's own https server.
    """
    started = time.monotonic()
    deadline = started + total_timeout
    backend = _PinnedBackend(deadline)
    result = FetchResult(url=url, final_url=url)
    client = httpx.Client(
        transport=_PinnedTransport(backend, ssl_context or _default_ssl_context()),
        # Uncompressed, so that the size cap bounds what we hold: a compressed body can grow a
        # thousandfold while it is decoded. (httpx still decodes one sent compressed anyway.)
        headers={"User-Agent": user_agent(), "Accept-Encoding": "identity"},
        timeout=httpx.Timeout(total_timeout, connect=connect_timeout),
        follow_redirects=False,
        trust_env=False,
    )
    try:
        with client:
            _follow(client, backend, result, resolve, head_first, text_only, max_bytes)
    except _Failure as failure:
        result.error_kind, result.error = failure.kind, failure.message
    except httpx.TimeoutException as error:
        result.error_kind = FailureKind.TIMEOUT
        if time.monotonic() >= deadline:
            result.error = f"no complete answer within {total_timeout:g} s (the total timeout)"
        elif isinstance(error, httpx.ConnectTimeout):
            result.error = f"no connection within {connect_timeout:g} s"
        else:
            result.error = f"timed out: {error}"
    except httpx.TransportError as error:
        result.error_kind, result.error = _transport_failure(error)
    except httpx.DecodingError as error:  # e.g. "Content-Encoding: gzip" on a body that is not
        result.error_kind = FailureKind.CONNECTION
        result.error = f"the body could not be decoded: {error}"
    result.elapsed = time.monotonic() - started
    return result


def _follow(
    client: httpx.Client,
    backend: _PinnedBackend,
    result: FetchResult,
    resolve: Resolver,
    head_first: bool,
    text_only: bool,
    max_bytes: int,
) -> None:
    method = "HEAD" if head_first else "GET"
    url = result.url
    while True:
        request = _checked_request(client, backend, method, url, resolve)
        result.final_url, result.method = str(request.url), method
        response = client.send(request, stream=True)
        try:
            result.status_code = response.status_code
            location = response.headers.get("Location")
            if response.status_code in REDIRECT_STATUSES and location:
                if len(result.redirects) == MAX_REDIRECTS:
                    raise _Failure(
                        FailureKind.TOO_MANY_REDIRECTS,
                        f"more than {MAX_REDIRECTS} redirects (the last to {location})",
                    )
                result.redirects.append(Redirect(str(request.url), response.status_code, location))
                # httpx has already refused a Location it cannot join (RemoteProtocolError).
                url = str(request.url.join(location))
                continue
            if method == "HEAD" and response.status_code in HEAD_REFUSED_STATUSES:
                # Start again from the first URL: a server refusing HEAD may redirect GET elsewhere.
                method, url = "GET", result.url
                result.redirects.clear()
                continue
            _read_answer(
                response, result, read_body=not head_first, text_only=text_only, max_bytes=max_bytes
            )
            return
        finally:
            response.close()


def _checked_request(
    client: httpx.Client, backend: _PinnedBackend, method: str, url: str, resolve: Resolver
) -> httpx.Request:
    parsed, host, port, addresses = _checked_target(url, resolve)
    backend.pin(host, port, addresses)
    return client.build_request(method, parsed)


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


def _read_answer(
    response: httpx.Response,
    result: FetchResult,
    *,
    read_body: bool,
    text_only: bool,
    max_bytes: int,
) -> None:
    result.content_type = _media_type(response)
    declared = response.headers.get("Content-Length", "")
    result.size = int(declared) if declared.isdigit() else None
    if text_only and result.content_type not in TEXT_CONTENT_TYPES:
        raise _Failure(
            FailureKind.NOT_TEXT,
            f"the page is {result.content_type or 'of no declared type'}, not HTML or text",
        )
    if not read_body:
        return
    if result.size is not None and result.size > max_bytes:
        raise _Failure(FailureKind.TOO_LARGE, _too_large(result.size, max_bytes, declared=True))
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            result.size = len(body)
            raise _Failure(FailureKind.TOO_LARGE, _too_large(len(body), max_bytes, declared=False))
    result.body, result.size = bytes(body), len(body)


def _too_large(size: int, max_bytes: int, *, declared: bool) -> str:
    cap = f"{max_bytes / 1024 / 1024:g} MB"
    if declared:
        return f"the body is {size:,} bytes, over the {cap} cap"
    return f"the body ran past the {cap} cap; stopped after {size:,} bytes"


def _transport_failure(error: httpx.TransportError) -> tuple[FailureKind, str]:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            reason = getattr(cause, "verify_message", None) or cause.reason or str(cause)
            return FailureKind.TLS, f"TLS failed: {reason}"
        cause = cause.__cause__ or cause.__context__
    return FailureKind.CONNECTION, str(error) or type(error).__name__
