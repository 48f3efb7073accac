"""Benchmark: the fetcher's own ceiling, in fetches per second against a local server.

    .venv/bin/python bench/fetching.py [--fetches 200] [--rounds 3]

Starts an HTTP server (and an https one, with a certificate made by openssl for "localhost")
in a separate process on loopback, allows 127.0.0.1/32 for this process only
(FETCH_ALLOWED_PRIVATE_ADDRESSES), and times, one fetch after another as the link-check job
makes them:
  - GET of a 20 kB page, body kept (snapshots, intake);
  - a link check (HEAD);
  - a link check that meets one redirect (two requests);
  - a link check whose HEAD is refused (HEAD, then GET);
  - GET over https (a TLS handshake per fetch, as with real evidence links);
  - for comparison, the same GET with a bare httpx.Client (no address checks, no pinning).
It prints each case's median over the rounds (which interleave the cases). Every fetch opens
its own connection (the fetcher keeps none between calls), so these are connection-per-fetch
figures; the link-check job will limit itself to one request a second per host, far below any
of them.
"""

from __future__ import annotations

import argparse
import http.server
import logging
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = b"<!doctype html><title>Page</title>" + b"<p>Evidence text.</p>" * 950  # about 20 kB


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle on, the second waits for the
    # client's delayed ACK (40 ms on Linux), which would measure the server, not the fetcher.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def do_HEAD(self):
        if self.path == "/no-head":
            return self.answer(405, b"")
        self.do_GET()

    def do_GET(self):
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/page")
            self.send_header("Content-Length", "0")
            return self.end_headers()
        self.answer(200, PAGE)

    def answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a fetcher that hangs up after its answer resets the connection: not news


def serve(cert: str | None) -> None:
    """The server process: prints its port, then serves until killed."""
    server = Server(("127.0.0.1", 0), Handler)
    if cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, cert.replace("cert", "key"))
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_port, flush=True)
    server.serve_forever()


def start_server(cert: str | None = None) -> tuple[subprocess.Popen, int]:
    args = [sys.executable, __file__, "--serve"] + (["--cert", cert] if cert else [])
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    return process, int(process.stdout.readline())


def make_certificate(folder: str) -> str | None:
    cert = os.path.join(folder, "cert.pem")
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
             "-keyout", os.path.join(folder, "key.pem"), "-out", cert],
            check=True, capture_output=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    return cert


def rate(fetch_once, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        fetch_once()
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fetches", type=int, default=200, help="fetches per case and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cert", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.cert)

    os.environ["FETCH_ALLOWED_PRIVATE_ADDRESSES"] = "127.0.0.1/32"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    import httpx

    from claims.fetching import fetch

    with tempfile.TemporaryDirectory() as folder:
        cert = make_certificate(folder)
        plain, port = start_server()
        servers = [plain]
        base = f"http://127.0.0.1:{port}"
        trusting = None
        if cert:
            secure, tls_port = start_server(cert)
            servers.append(secure)
            trusting = ssl.create_default_context(cafile=cert)

        def checked(result):
            assert not result.failed and result.status_code == 200, result
            return result

        shared_ssl_context = httpx.create_ssl_context()  # as the fetcher shares its own

        def bare_get():
            with httpx.Client(verify=shared_ssl_context) as client:
                assert client.get(base + "/page").status_code == 200

        cases = {
            "GET 20 kB page, body kept": lambda: checked(fetch(base + "/page")),
            "link check (HEAD)": lambda: checked(fetch(base + "/page", head_first=True)),
            "link check, one redirect": lambda: checked(fetch(base + "/moved", head_first=True)),
            "link check, HEAD refused -> GET": lambda: checked(
                fetch(base + "/no-head", head_first=True)
            ),
            "bare httpx GET (no safety), for comparison": bare_get,
        }
        if cert:
            url = f"https://localhost:{tls_port}/page"
            cases["GET over https (TLS per fetch)"] = lambda: checked(
                fetch(url, ssl_context=trusting)
            )
        try:
            for fetch_once in cases.values():  # warm up imports, CA bundle, server threads
                fetch_once()
            print(f"{args.fetches} sequential fetches per case, median of {args.rounds} rounds:")
            # Rounds interleave the cases, so that a busy moment on a shared machine does not
            # land on one case alone.
            rates: dict[str, list[float]] = {name: [] for name in cases}
            for _ in range(args.rounds):
                for name, fetch_once in cases.items():
                    rates[name].append(rate(fetch_once, args.fetches))
            for name, measured in rates.items():
                median = statistics.median(measured)
                print(f"  {name:45} {median:8.0f} fetches/s  ({1000 / median:.2f} ms each)")
        finally:
            for server in servers:
                server.kill()
                server.wait()


if __name__ == "__main__":
    main()
