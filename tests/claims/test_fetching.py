"""The safe fetcher (claims/fetching.py), against real HTTP servers this file starts on loopback.

Loopback is reachable only because each test that needs it allows 127.0.0.1/32 through
FETCH_ALLOWED_PRIVATE_ADDRESSES (the `loopback_allowed` fixture); with the setting empty, as in
production, the same servers are refused. Names are resolved by the system resolver ("localhost"
comes from /etc/hosts); a resolver is injected only where no real one could answer as needed: a
name resolving to a public and a private address, and a name whose answer changes between
lookups (DNS rebinding).
"""

from __future__ import annotations

import http.server
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from claims.fetching import FailureKind, fetch, refusal, url_refusal

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
HTML = b"<!doctype html><html><head><title>A page</title></head><body>Evidence.</body></html>"
CHUNK = b"x" * 65536  # made once, so a server streaming 10 MB allocates nothing per chunk


class Handler(http.server.BaseHTTPRequestHandler):
    """Routes by path; every request is recorded on the server (method, path, headers)."""

    def log_message(self, format, *args):  # keep the test output clean
        pass

    def do_GET(self):
        self.server.requests.append((self.command, self.path, dict(self.headers)))
        route = self.path.split("?", 1)[0]
        if route.startswith("/chain/"):
            left = int(route.rsplit("/", 1)[1])
            return self.redirect(302, f"/chain/{left - 1}") if left else self.page(HTML)
        getattr(self, "route_" + (route.strip("/").replace("-", "_") or "home"))()

    def do_HEAD(self):
        self.do_GET()

    # helpers
    def page(self, body: bytes, status: int = 200, content_type: str = "text/html; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, status: int, location: str):
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # routes
    def route_home(self):
        self.page(b"<html><title>Home</title></html>")

    def route_page(self):
        self.page(HTML)

    def route_moved(self):
        self.redirect(301, "/page")

    def route_elsewhere(self):
        self.redirect(302, "/")

    def route_missing(self):
        self.page(b"not here", status=404)

    def route_gone(self):
        self.page(b"gone", status=410)

    def route_flaky(self):
        self.server.flaky_calls += 1
        self.page(b"oops", status=500) if self.server.flaky_calls == 1 else self.page(HTML)

    def route_loop_a(self):
        self.redirect(302, "/loop-b")

    def route_loop_b(self):
        self.redirect(302, "/loop-a")

    def route_no_head(self):
        if self.command == "HEAD":
            return self.page(b"", status=405)
        self.page(HTML)

    def route_pdf(self):
        self.page(b"%PDF-1.7 ...", content_type="application/pdf")

    def route_big_declared(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(10 * MB))
        self.end_headers()
        self.stream(10 * MB)

    def route_big_undeclared(self):
        # HTTP/1.0 without Content-Length: the body runs until the server closes.
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.stream(10 * MB)

    def stream(self, size: int):
        try:
            for _ in range(size // len(CHUNK)):
                self.wfile.write(CHUNK)
        except OSError:  # the fetcher hung up, as it should
            pass

    def route_trickle(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.drip(b"<p>" * 200)

    def route_trickle_headers(self):
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: ")
        self.drip(b"a" * 200)

    def drip(self, data: bytes):
        try:
            for byte in data:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    def route_to_metadata(self):
        self.redirect(302, "http://169.254.169.254/latest/meta-data/")

    def route_to_other_loopback(self):
        self.redirect(302, self.server.other_loopback + "/page")

    def route_to_ipv6_loopback(self):
        self.redirect(302, f"http://[::1]:{self.server.server_port}/page")

    def route_bad_gzip(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", "13")
        self.end_headers()
        self.wfile.write(b"not gzip data")

    def route_not_http(self):
        self.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n")

    def route_to_nowhere(self):
        self.redirect(302, "http://[::1/page")

    def route_to_ftp(self):
        self.redirect(302, "ftp://127.0.0.1/file")


def start(address: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None):
    server = http.server.ThreadingHTTPServer((address, 0), Handler)
    server.daemon_threads = True
    server.requests, server.flaky_calls, server.other_loopback = [], 0, ""
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def server():
    server = start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def loopback_allowed(settings):
    settings.FETCH_ALLOWED_PRIVATE_ADDRESSES = ["127.0.0.1/32"]


pytestmark = pytest.mark.usefixtures("loopback_allowed")


# --- answers -------------------------------------------------------------------------------


def test_it_fetches_a_page_with_its_body_type_and_timing(server):
    result = fetch(server.url + "/page")
    assert not result.failed, result.error
    assert (result.status_code, result.body, result.size) == (200, HTML, len(HTML))
    assert result.content_type == "text/html"
    assert result.final_url == server.url + "/page" and result.redirects == []
    assert 0 < result.elapsed < 2


def test_it_names_the_registry_and_the_site_in_its_user_agent(server, settings):
    settings.SITE_URL = "https://claims.example.org"
    fetch(server.url + "/page")
    user_agent = server.requests[0][2]["User-Agent"]
    assert "ClaimRegistry" in user_agent and "https://claims.example.org" in user_agent


def test_it_follows_a_301_to_another_page_and_records_the_chain(server):
    result = fetch(server.url + "/moved")
    assert (result.status_code, result.final_url) == (200, server.url + "/page")
    assert [(r.url, r.status_code, r.location) for r in result.redirects] == [
        (server.url + "/moved", 301, "/page")
    ]


def test_a_302_to_the_home_page_ends_on_the_home_page(server):
    result = fetch(server.url + "/elsewhere")
    assert result.final_url == server.url + "/"
    assert [r.status_code for r in result.redirects] == [302]
    assert result.status_code == 200 and not result.failed


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/gone", 410)])
def test_an_error_status_is_an_answer_not_a_failure(server, path, status):
    result = fetch(server.url + path)
    assert result.status_code == status
    assert not result.failed


def test_it_makes_one_attempt_so_a_500_then_200_server_gives_500_then_200(server):
    first = fetch(server.url + "/flaky")
    assert first.status_code == 500 and len(server.requests) == 1
    assert fetch(server.url + "/flaky").status_code == 200


# --- link checks: HEAD, then GET when HEAD is refused ------------------------------------


def test_a_link_check_sends_only_head_when_the_server_answers_it(server):
    result = fetch(server.url + "/page", head_first=True)
    assert (result.status_code, result.method, result.body) == (200, "HEAD", None)
    assert result.size == len(HTML)  # from Content-Length
    assert [method for method, _, _ in server.requests] == ["HEAD"]


def test_a_link_check_falls_back_to_get_when_head_is_refused(server):
    result = fetch(server.url + "/no-head", head_first=True)
    assert (result.status_code, result.method) == (200, "GET")
    assert result.body is None  # a link check never keeps a body
    assert [method for method, _, _ in server.requests] == ["HEAD", "GET"]


def test_a_link_check_takes_a_404_to_head_as_the_answer(server):
    result = fetch(server.url + "/missing", head_first=True)
    assert (result.status_code, result.method) == (404, "HEAD")
    assert len(server.requests) == 1


def test_a_link_check_follows_redirects_with_head(server):
    result = fetch(server.url + "/moved", head_first=True)
    assert (result.status_code, result.final_url) == (200, server.url + "/page")
    assert [method for method, _, _ in server.requests] == ["HEAD", "HEAD"]


# --- redirects --------------------------------------------------------------------------


def test_five_redirects_are_followed(server):
    result = fetch(server.url + "/chain/5")
    assert not result.failed, result.error
    assert result.status_code == 200 and len(result.redirects) == 5


def test_a_sixth_redirect_is_a_recorded_failure(server):
    result = fetch(server.url + "/chain/6")
    assert result.error_kind == FailureKind.TOO_MANY_REDIRECTS
    assert len(result.redirects) == 5 and len(server.requests) == 6


def test_a_redirect_loop_is_a_recorded_failure(server):
    result = fetch(server.url + "/loop-a")
    assert result.error_kind == FailureKind.TOO_MANY_REDIRECTS
    assert "more than 5 redirects" in result.error
    assert len(server.requests) == 6


def test_a_redirect_to_another_scheme_is_refused(server):
    result = fetch(server.url + "/to-ftp")
    assert result.error_kind == FailureKind.SCHEME
    assert result.redirects[0].location == "ftp://127.0.0.1/file"


def test_an_allowed_host_redirecting_to_the_metadata_address_is_refused(server):
    result = fetch(server.url + "/to-metadata")
    assert result.error_kind == FailureKind.REFUSED_ADDRESS
    assert result.error == "169.254.169.254 is the cloud metadata address"
    assert result.final_url == server.url + "/to-metadata"
    assert [r.status_code for r in result.redirects] == [302]


def test_an_allowed_host_redirecting_to_a_loopback_address_not_allowed_is_refused(server):
    other = start("127.0.0.2")  # a real server that would answer, on loopback but not allowed
    try:
        server.other_loopback = f"http://127.0.0.2:{other.server_port}"
        result = fetch(server.url + "/to-other-loopback")
        assert result.error_kind == FailureKind.REFUSED_ADDRESS
        assert result.error == "127.0.0.2 is a loopback address"
        assert other.requests == []
    finally:
        other.shutdown()
        other.server_close()


def test_an_allowed_host_redirecting_to_ipv6_loopback_is_refused(server):
    result = fetch(server.url + "/to-ipv6-loopback")
    assert result.error_kind == FailureKind.REFUSED_ADDRESS
    assert result.error == "::1 is a loopback address"
    assert len(server.requests) == 1


# --- limits: size, content type, time ----------------------------------------------------


def test_a_body_declared_over_5_mb_is_refused_unread(server):
    result = fetch(server.url + "/big-declared")
    assert result.error_kind == FailureKind.TOO_LARGE
    assert result.size == 10 * MB and result.body is None
    assert "over the 5 MB cap" in result.error


def test_a_10_mb_body_without_a_length_is_stopped_at_5_mb_in_bounded_memory(server):
    tracemalloc.start()
    try:
        result = fetch(server.url + "/big-undeclared")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.error_kind == FailureKind.TOO_LARGE
    assert result.body is None
    assert 5 * MB < result.size < 6 * MB
    assert peak < 7 * MB  # reading all 10 MB would need at least 10


def test_a_non_html_body_is_a_recorded_failure_when_only_text_is_accepted(server):
    result = fetch(server.url + "/pdf", text_only=True)
    assert result.error_kind == FailureKind.NOT_TEXT
    assert result.error == "the page is application/pdf, not HTML or text"
    assert result.status_code == 200 and result.body is None


def test_html_passes_the_text_only_check(server):
    result = fetch(server.url + "/page", text_only=True)
    assert not result.failed and result.body == HTML


def test_a_pdf_is_fetched_when_any_type_is_accepted(server):
    result = fetch(server.url + "/pdf")
    assert not result.failed and result.content_type == "application/pdf"


@pytest.fixture
def silent_server():
    """Accepts connections and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept():
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    for connection in held:
        connection.close()


def test_a_server_that_never_answers_is_a_timeout(silent_server):
    result = fetch(silent_server + "/", total_timeout=1)
    assert result.error_kind == FailureKind.TIMEOUT
    assert "total timeout" in result.error
    assert result.elapsed < 2


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_a_server_trickling_bytes_is_cut_off_by_the_total_timeout(server, path):
    # A byte every 50 ms never trips a per-read timeout; only the total deadline stops it,
    # including while the headers are still arriving.
    result = fetch(server.url + path, total_timeout=1)
    assert result.error_kind == FailureKind.TIMEOUT
    assert result.error == "no complete answer within 1 s (the total timeout)"
    assert 1 <= result.elapsed < 2


def test_a_server_that_never_accepts_is_a_connect_timeout():
    listener = socket.create_server(("127.0.0.1", 0), backlog=0)
    port = listener.getsockname()[1]
    queued = socket.create_connection(("127.0.0.1", port))  # fills the accept queue
    try:
        result = fetch(f"http://127.0.0.1:{port}/", connect_timeout=0.5, total_timeout=5)
    finally:
        queued.close()
        listener.close()
    assert result.error_kind == FailureKind.TIMEOUT
    assert result.error == "no connection within 0.5 s"
    assert result.elapsed < 2


def test_a_closed_port_is_a_connection_failure():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    result = fetch(f"http://127.0.0.1:{port}/")
    assert result.error_kind == FailureKind.CONNECTION
    assert result.status_code is None


def test_a_server_not_speaking_http_is_a_connection_failure(server):
    result = fetch(server.url + "/not-http")
    assert result.error_kind == FailureKind.CONNECTION and result.status_code is None


def test_a_body_that_cannot_be_decoded_is_a_recorded_failure(server):
    result = fetch(server.url + "/bad-gzip")
    assert result.error_kind == FailureKind.CONNECTION
    assert result.error.startswith("the body could not be decoded")


def test_a_redirect_to_a_malformed_address_is_a_recorded_failure(server):
    result = fetch(server.url + "/to-nowhere")
    assert result.error_kind == FailureKind.CONNECTION
    assert result.error.startswith("Invalid URL in location header")


def test_a_name_that_does_not_resolve_is_a_dns_failure():
    result = fetch("http://no-such-host.invalid/")
    assert result.error_kind == FailureKind.DNS


# --- https -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for the name "localhost" only (no IP address in it)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_server(certificate):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server_names: list[str | None] = []
    context.sni_callback = lambda _socket, name, _context: server_names.append(name)
    server = start(tls=context)
    server.server_names = server_names
    yield server
    server.shutdown()
    server.server_close()


def test_https_with_a_self_signed_certificate_is_a_recorded_tls_failure(tls_server):
    result = fetch(f"https://localhost:{tls_server.server_port}/page")
    assert result.error_kind == FailureKind.TLS
    assert "self-signed certificate" in result.error
    assert tls_server.requests == []


def test_https_verifies_the_urls_name_and_sends_it_as_sni(tls_server, certificate):
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    result = fetch(f"https://localhost:{tls_server.server_port}/page", ssl_context=trusting)
    assert not result.failed, result.error
    assert result.body == HTML
    assert tls_server.server_names == ["localhost"]
    assert tls_server.requests[0][2]["Host"] == f"localhost:{tls_server.server_port}"


def test_https_to_the_address_does_not_match_a_certificate_for_the_name(tls_server, certificate):
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    result = fetch(f"https://127.0.0.1:{tls_server.server_port}/page", ssl_context=trusting)
    assert result.error_kind == FailureKind.TLS
    assert "127.0.0.1" in result.error  # "IP address mismatch, certificate is not valid for…"


# --- one lookup per hop, and the connection goes where the lookup said -------------------


def is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def test_it_resolves_each_hop_once_and_nothing_else_resolves(server, monkeypatch):
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def observed_getaddrinfo(host, *args, **kwargs):
        lookups.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", observed_getaddrinfo)
    result = fetch(f"http://localhost:{server.server_port}/moved")
    assert result.status_code == 200 and len(result.redirects) == 1
    # Two hops, two lookups of the name: httpx's own connection code would have looked it up
    # again for each connection. The socket is opened on the checked address itself (the
    # standard library passes even a literal address through getaddrinfo, without DNS).
    names = [host for host in lookups if not is_address(host)]
    assert names == ["localhost", "localhost"]
    assert {host for host in lookups if is_address(host)} == {"127.0.0.1"}


def test_the_connection_goes_to_the_checked_address_however_the_name_answers_later(server):
    answers = iter([["127.0.0.1"], ["169.254.169.254"], ["10.0.0.5"]])
    calls: list[tuple[str, int]] = []

    def rebinding_resolver(host: str, port: int) -> list[str]:
        calls.append((host, port))
        return next(answers)

    # "rebind.test" exists in no DNS: reaching the server at all proves that the connection
    # used the address our check saw, not a lookup of its own.
    result = fetch(f"http://rebind.test:{server.server_port}/page", resolve=rebinding_resolver)
    assert not result.failed, result.error
    assert result.body == HTML
    assert calls == [("rebind.test", server.server_port)]
    assert server.requests[0][2]["Host"] == f"rebind.test:{server.server_port}"


def test_a_rebinding_name_is_checked_again_on_each_redirect(server):
    answers = iter([["127.0.0.1"], ["10.0.0.5"]])
    result = fetch(
        f"http://rebind.test:{server.server_port}/moved", resolve=lambda host, port: next(answers)
    )
    assert result.error_kind == FailureKind.REFUSED_ADDRESS
    assert result.error == "rebind.test resolves to 10.0.0.5, a private address"
    assert [path for _, path, _ in server.requests] == ["/moved"]


@pytest.mark.parametrize(
    "addresses", [["93.184.216.34", "10.0.0.5"], ["10.0.0.5", "93.184.216.34"]]
)
def test_a_name_resolving_to_a_public_and_a_private_address_is_refused(addresses):
    calls = []

    def resolver(host, port):
        calls.append(host)
        return addresses

    result = fetch("http://mixed.example/", resolve=resolver)
    assert result.error_kind == FailureKind.REFUSED_ADDRESS
    assert result.error == "mixed.example resolves to 10.0.0.5, a private address"
    assert calls == ["mixed.example"]


# --- refused addresses in every form -----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.5/", "10.0.0.5 is a private address"),
        ("http://10.255.255.255/", "10.255.255.255 is a private address"),
        ("http://172.16.0.0/", "172.16.0.0 is a private address"),
        ("http://172.31.255.255/", "172.31.255.255 is a private address"),
        ("http://192.168.0.1/", "192.168.0.1 is a private address"),
        ("http://127.0.0.2/", "127.0.0.2 is a loopback address"),
        ("http://127.255.255.254/", "127.255.255.254 is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/",
         "169.254.169.254 is the cloud metadata address"),
        ("http://169.254.0.1/", "169.254.0.1 is a link-local address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://100.64.0.1/", "100.64.0.1 is not a public address"),  # carrier-grade NAT
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://239.255.255.250/", "239.255.255.250 is a multicast address"),
        ("http://[ff0e::1]/", "ff0e::1 is a multicast address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::]/", ":: is an unspecified address"),
        ("http://[fc00::1]/", "fc00::1 is an IPv6 unique-local address"),
        ("http://[fdff:ffff::1]/", "fdff:ffff::1 is an IPv6 unique-local address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[febf::1]/", "febf::1 is a link-local address"),
        ("http://[::ffff:127.0.0.2]/",
         "::ffff:127.0.0.2 is 127.0.0.2 in IPv6 form, a loopback address"),
        ("http://[::ffff:10.0.0.5]/",
         "::ffff:10.0.0.5 is 10.0.0.5 in IPv6 form, a private address"),
        ("http://[::ffff:169.254.169.254]/",
         "::ffff:169.254.169.254 is 169.254.169.254 in IPv6 form, the cloud metadata address"),
        ("http://[64:ff9b::a00:5]/",  # NAT64
         "64:ff9b::a00:5 is 10.0.0.5 in IPv6 form, a private address"),
        ("http://[2002:a00:5::]/",  # 6to4
         "2002:a00:5:: is 10.0.0.5 in IPv6 form, a private address"),
    ],
)  # fmt: skip
def test_a_non_public_address_is_refused_saying_why(url, message):
    result = fetch(url)
    assert result.error_kind == FailureKind.REFUSED_ADDRESS
    assert result.error == message
    assert result.status_code is None


@pytest.mark.parametrize(
    ("host", "address"),
    # 127.0.0.2 rather than 127.0.0.1, which these tests allow (see the empty-setting test).
    [("2130706434", "127.0.0.2"), ("0x7f000002", "127.0.0.2"), ("127.2", "127.0.0.2"),
     ("167772165", "10.0.0.5"), ("3232235777", "192.168.1.1")],
)  # fmt: skip
def test_numeric_host_forms_are_refused_for_the_address_they_stand_for(host, address):
    # 2130706434 is 127.0.0.2 as one integer: the resolver reads it as connecting would.
    result = fetch(f"http://{host}/")
    assert result.error_kind == FailureKind.REFUSED_ADDRESS
    assert result.error.startswith(f"{host} resolves to {address}, a ")


def test_an_octal_host_is_refused_as_an_invalid_address():
    result = fetch("http://0177.0.0.1/")
    assert result.error_kind == FailureKind.INVALID_URL


def test_loopback_is_refused_when_the_setting_is_empty(server, settings):
    settings.FETCH_ALLOWED_PRIVATE_ADDRESSES = []
    for url in (server.url + "/page", f"http://localhost:{server.server_port}/page"):
        result = fetch(url)
        assert result.error_kind == FailureKind.REFUSED_ADDRESS, url
    assert fetch(f"http://2130706433:{server.server_port}/").error == (
        "2130706433 resolves to 127.0.0.1, a loopback address"
    )
    assert server.requests == []


@pytest.mark.parametrize(
    "address",
    ["9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255",
     "192.169.0.0", "169.253.255.255", "169.255.0.0", "100.63.255.255", "100.128.0.0",
     "126.255.255.255", "128.0.0.0", "93.184.216.34", "fbff:ffff::1", "fe00::1", "fec0::1",
     "2606:4700::1111", "::ffff:93.184.216.34"],
)  # fmt: skip
def test_public_addresses_just_outside_each_refused_range_are_allowed(address):
    assert refusal(address) is None


@pytest.mark.parametrize("scheme_url", ["ftp://example.org/", "file:///etc/passwd", "gopher://x/"])
def test_only_http_and_https_are_fetched(scheme_url):
    result = fetch(scheme_url)
    assert result.error_kind == FailureKind.SCHEME
    assert "only http and https" in result.error


def test_url_refusal_says_why_before_anything_is_saved():
    assert url_refusal("http://10.0.0.5/report") == "10.0.0.5 is a private address"
    assert url_refusal("javascript:alert(1)").startswith("'javascript:alert(1)': only http")
    assert url_refusal("http://no-such-host.invalid/") is None  # fetch time checks again
    assert url_refusal("https://93.184.216.34/") is None


def test_the_allow_list_admits_exactly_its_networks(settings):
    settings.FETCH_ALLOWED_PRIVATE_ADDRESSES = ["10.1.0.0/16", "fd00::/64"]
    assert refusal("10.1.255.255") is None and refusal("fd00::5") is None
    assert refusal("10.2.0.0") == "a private address"
    assert refusal("fd00:0:0:1::5") == "an IPv6 unique-local address"


def test_it_never_raises_for_a_network_failure_even_on_a_bad_url():
    for url in ("http://[::1/", "http://exa mple.org/", "http:///nohost", ""):
        result = fetch(url)
        assert result.failed, url


@pytest.mark.parametrize("value", ["10.0.0.5/8", "not-an-address", "127.0.0.1/33"])
def test_a_malformed_allow_list_stops_start_up(value):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env={**os.environ, "FETCH_ALLOWED_PRIVATE_ADDRESSES": value},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert (
        f"FETCH_ALLOWED_PRIVATE_ADDRESSES: '{value}' is not an address or network" in result.stderr
    )


def test_the_allow_list_is_empty_by_default():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
         " print(settings.FETCH_ALLOWED_PRIVATE_ADDRESSES)"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**{k: v for k, v in os.environ.items() if k != "FETCH_ALLOWED_PRIVATE_ADDRESSES"},
             "DJANGO_SETTINGS_MODULE": "config.settings"},
    )  # fmt: skip
    assert result.stdout.strip() == "[]", result.stderr
