"""Link health and snapshots (claims.jobs.link_checks, claims.jobs.snapshots), against real HTTP
servers on loopback, which the tests allow through FETCH_ALLOWED_PRIVATE_ADDRESSES."""

from __future__ import annotations

import datetime
import functools
import hashlib
import time

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from claims import cache as response_cache
from claims import fetching, lifecycle
from claims.jobs import link_checks, snapshots
from claims.models import Evidence, LinkCheck, Snapshot
from tests.claims.test_fetching import Handler, start
from tests.factories import ClaimFactory, EvidenceFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2027, 5, 3, 9, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)
WEEK = datetime.timedelta(days=7)
THREE_DAYS = datetime.timedelta(days=3)
ARTICLE = (
    b"<!doctype html><html><head><title>Robots in 2026</title>"
    b"<script>alert('from the page')</script></head><body><article>"
    b"<p>Robot density reached 470 per 10,000 workers &lt;b&gt;in 2025&lt;/b&gt;, "
    b"the federation said, a record for the sector.</p></article></body></html>"
)


class Pages(Handler):
    def do_GET(self):
        self.server.times.append(time.monotonic())
        super().do_GET()

    def route_article(self):
        self.page(ARTICLE)


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.FETCH_ALLOWED_PRIVATE_ADDRESSES = ["127.0.0.1/32"]
    cache.clear()  # the per-host gate's keys


@pytest.fixture
def server():
    server = start()
    server.RequestHandlerClass, server.times = Pages, []
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


def evidence_at(url: str) -> Evidence:
    return EvidenceFactory(url=url)


def run(**kwargs) -> link_checks.RunCounts:
    kwargs.setdefault("fetch", functools.partial(fetching.fetch, total_timeout=2))
    return link_checks.check_due_links(**kwargs)


def state(evidence: Evidence) -> tuple[str, int]:
    evidence.refresh_from_db()
    return evidence.link_state, evidence.link_failures


# --- what a check concludes ------------------------------------------------------------------


def test_a_page_that_answers_200_is_ok_with_its_check_recorded(server):
    evidence = evidence_at(server.url + "/page")
    with time_machine.travel(T0, tick=False):
        counts = run()

    assert (counts.checked, counts.ok) == (1, 1)
    assert state(evidence) == ("ok", 0)
    assert evidence.link_checked_at == T0 and evidence.link_next_check_at == T0 + WEEK
    assert evidence.link_lease is None
    [check] = LinkCheck.objects.all()
    assert (check.checked_at, check.status_code, check.method, check.outcome) == (
        T0,
        200,
        "HEAD",
        "ok",
    )
    assert check.final_url == server.url + "/page" and check.error == ""
    assert 0 <= check.elapsed_ms < 2000


def test_a_301_to_another_page_is_redirected(server):
    evidence = evidence_at(server.url + "/moved")
    run()
    assert state(evidence) == ("redirected", 0)
    assert LinkCheck.objects.get().final_url == server.url + "/page"


def test_a_302_to_the_home_page_is_a_soft_404_and_a_failure(server):
    evidence = evidence_at(server.url + "/elsewhere")
    run()
    assert state(evidence) == ("failing", 1)
    assert "soft 404" in LinkCheck.objects.get().error


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/gone", 410)])
def test_a_link_is_dead_after_three_failures_at_least_three_days_apart(server, path, status):
    evidence = evidence_at(server.url + path)
    with time_machine.travel(T0, tick=False) as clock:
        run()
        assert state(evidence) == ("failing", 1)
        assert evidence.link_next_check_at == T0 + THREE_DAYS

        clock.move_to(T0 + THREE_DAYS - SECOND)  # too soon: not retried
        assert run().picked == 0
        clock.move_to(T0 + THREE_DAYS + SECOND)
        run()
        assert state(evidence) == ("failing", 2)

        clock.move_to(T0 + 2 * THREE_DAYS)  # a second short of three days after the second
        assert run().picked == 0
        clock.move_to(T0 + 2 * THREE_DAYS + 2 * SECOND)
        run()
        assert state(evidence) == ("dead", 3)
    assert [c.status_code for c in LinkCheck.objects.order_by("checked_at")] == [status] * 3
    assert evidence.link_next_check_at == T0 + 2 * THREE_DAYS + 2 * SECOND + WEEK


def test_a_500_then_200_is_failing_then_ok_again(server):
    evidence = evidence_at(server.url + "/flaky")
    with time_machine.travel(T0, tick=False) as clock:
        run()
        assert state(evidence) == ("failing", 1)
        clock.move_to(T0 + THREE_DAYS + SECOND)
        run()
    assert state(evidence) == ("ok", 0)


def test_a_working_link_is_rechecked_after_a_week_not_before(server):
    evidence = evidence_at(server.url + "/page")
    with time_machine.travel(T0, tick=False) as clock:
        run()
        clock.move_to(T0 + WEEK - SECOND)
        assert run().picked == 0
        clock.move_to(T0 + WEEK + SECOND)
        assert run().checked == 1
    assert LinkCheck.objects.filter(evidence=evidence).count() == 2


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/loop-a", "too_many_redirects"), ("/trickle-headers", "timeout")],
)
def test_a_redirect_loop_and_a_slow_server_end_in_recorded_failed_checks(server, path, kind):
    evidence = evidence_at(server.url + path)
    counts = run(fetch=functools.partial(fetching.fetch, total_timeout=1))
    assert (counts.checked, counts.failed, counts.errors) == (1, 1, 0)
    check = LinkCheck.objects.get()
    assert (check.outcome, check.error_kind) == ("failed", kind) and check.error
    assert state(evidence) == ("failing", 1)


def test_a_10_mb_page_is_a_live_link_whose_body_a_check_never_reads(server):
    evidence = evidence_at(server.url + "/big-declared")
    run()
    assert state(evidence) == ("ok", 0)


def test_a_tls_failure_is_a_recorded_failed_check(tmp_path):
    import ssl
    import subprocess

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    tls = start(tls=context)
    try:
        evidence = evidence_at(f"https://localhost:{tls.server_port}/page")
        run()
    finally:
        tls.shutdown()
        tls.server_close()
    assert LinkCheck.objects.get().error_kind == "tls"
    assert state(evidence) == ("failing", 1)


def test_a_link_to_a_private_address_is_refused_at_fetch_time(settings, server):
    settings.FETCH_ALLOWED_PRIVATE_ADDRESSES = []  # production: loopback is never fetched
    evidence = evidence_at(server.url + "/page")
    run()
    check = LinkCheck.objects.get()
    assert check.error_kind == "refused_address"
    assert check.error == "127.0.0.1 is a loopback address"
    assert server.requests == [] and state(evidence) == ("failing", 1)


# --- politeness, leases, idempotence ----------------------------------------------------------


def test_it_checks_one_host_at_most_once_a_second_and_hosts_side_by_side(server):
    other = start()
    other.RequestHandlerClass, other.times = Pages, []
    try:
        for _ in range(3):
            evidence_at(server.url + "/page")
            evidence_at(f"http://localhost:{other.server_port}/page")  # another host
        started = time.monotonic()
        counts = run()
        took = time.monotonic() - started
    finally:
        other.shutdown()
        other.server_close()
    assert counts.checked == 6
    assert 2 <= took < 3.5  # three checks a host, a second apart; the two hosts at once
    # The gate spaces the checks' starts a second apart; the server notes when each request
    # reached its handler, which for the first check also holds the fetcher's set-up (the
    # address check, a new connection): 0.94–0.99 s seen between arrivals, so the spacing is
    # checked to 100 ms. A gate letting checks through twice as often would show 0.5 s.
    times = server.times
    assert len(times) == 3 and all(b - a >= 0.9 for a, b in zip(times, times[1:], strict=False))


def test_a_second_run_finds_nothing_to_do(server):
    evidence_at(server.url + "/page")
    assert run().checked == 1
    assert run().picked == 0
    assert LinkCheck.objects.count() == 1


def test_a_link_leased_by_another_run_is_not_taken(server):
    evidence = evidence_at(server.url + "/page")
    now = link_checks.timezone.now()
    token, taken = link_checks.lease([evidence.pk], now=now)
    assert [link["id"] for link in taken] == [evidence.pk]
    assert link_checks.lease([evidence.pk], now=now)[1] == []  # the other run gets nothing
    assert run().picked == 0
    # A lease that outlived its run (the worker died) expires, and the link is checked.
    with time_machine.travel(now + link_checks.LEASE + SECOND):
        assert run().checked == 1


def test_a_result_for_a_link_whose_url_an_editor_changed_meanwhile_is_dropped(server, editor):
    evidence = evidence_at(server.url + "/missing")
    token, [link] = link_checks.lease([evidence.pk], now=link_checks.timezone.now())
    evidence.url = "https://example.org/moved-here"
    lifecycle.save_evidence(evidence=evidence, by=editor)  # clears the lease

    result = fetching.fetch(link["url"], head_first=True)
    assert link_checks.record(link, result, token=token) == (None, False)
    assert state(evidence) == ("unchecked", 0) and not LinkCheck.objects.exists()


def test_only_a_change_a_reader_sees_bumps_the_response_cache(
    server, django_capture_on_commit_callbacks
):
    evidence = evidence_at(server.url + "/flaky")  # 500, then 200 for good
    with time_machine.travel(T0, tick=False) as clock:

        def generation_after_a_run() -> int:
            with django_capture_on_commit_callbacks(execute=True):
                run()
            return response_cache.generation()

        start_generation = response_cache.generation()
        assert generation_after_a_run() == start_generation + 1  # unchecked -> failing
        clock.move_to(T0 + THREE_DAYS + SECOND)
        assert generation_after_a_run() == start_generation + 2  # failing -> ok
        clock.move_to(T0 + THREE_DAYS + WEEK + 2 * SECOND)
        assert generation_after_a_run() == start_generation + 2  # ok, still ok: bookkeeping
    assert LinkCheck.objects.filter(evidence=evidence).count() == 3


# --- snapshots ---------------------------------------------------------------------------------


def test_adding_evidence_or_changing_its_url_asks_for_a_check_and_a_snapshot(
    editor, django_capture_on_commit_callbacks
):
    evidence = Evidence(
        claim=ClaimFactory(), url="https://example.org/a", title="A", stance="supports"
    )
    with django_capture_on_commit_callbacks() as callbacks:
        lifecycle.save_evidence(evidence=evidence, by=editor)
    assert any("take_snapshots" in repr(callback) for callback in callbacks)  # after commit
    assert evidence.snapshot_due_at is not None and evidence.link_state == "unchecked"

    Evidence.objects.filter(pk=evidence.pk).update(
        snapshot_due_at=None, link_state="dead", link_failures=3
    )
    evidence.title = "A, retitled"  # the same address: its health is kept
    lifecycle.save_evidence(evidence=evidence, by=editor)
    evidence.refresh_from_db()
    assert (evidence.link_state, evidence.snapshot_due_at) == ("dead", None)

    evidence.url = "https://example.org/b"  # a new address: checked and kept afresh
    lifecycle.save_evidence(evidence=evidence, by=editor)
    evidence.refresh_from_db()
    assert (evidence.link_state, evidence.link_failures) == ("unchecked", 0)
    assert evidence.snapshot_due_at is not None


def test_a_snapshot_keeps_the_pages_text_shown_from_the_claim_page(server, client):
    evidence = evidence_at(server.url + "/article")
    claim = evidence.claim
    snapshots.request_snapshots([evidence.pk])
    with time_machine.travel(T0):
        assert snapshots.take_due_snapshots() == {"taken": 1, "failed": 0, "skipped": 0}
    snapshot = Snapshot.objects.get()
    assert snapshot.title == "Robots in 2026"
    assert "470 per 10,000 workers" in snapshot.text and "alert" not in snapshot.text
    assert snapshot.sha256 == hashlib.sha256(ARTICLE).hexdigest()
    assert snapshot.final_url == server.url + "/article"
    evidence.refresh_from_db()
    assert evidence.snapshot_due_at is None
    assert snapshots.take_due_snapshots()["taken"] == 0  # done once

    page = client.get(claim.get_absolute_url()).content.decode()
    snapshot_url = reverse("claims:evidence_snapshot", args=[claim.slug, evidence.pk])
    assert f'href="{snapshot_url}">The page as we saw it on 3 May 2027</a>' in page
    assert f"https://web.archive.org/web/{evidence.added_at:%Y%m%d}/{evidence.url}" in page
    assert "Link not checked yet" in page

    shown = client.get(snapshot_url)
    assert shown.status_code == 200 and shown["X-Robots-Tag"] == "noindex"
    body = shown.content.decode()
    assert "470 per 10,000 workers &lt;b&gt;in 2025&lt;/b&gt;" in body  # text, escaped
    assert "<script>alert" not in body


def test_the_claim_page_shows_each_links_state_and_when_it_was_checked(server, client):
    evidence = evidence_at(server.url + "/page")
    with time_machine.travel(T0, tick=False):
        run()
    page = client.get(evidence.claim.get_absolute_url()).content.decode()
    assert 'Link works, checked <time datetime="2027-05-03">3 May 2027</time>' in page


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/big-undeclared", "too_large"),
        ("/pdf", "not_text"),
        ("/loop-a", "too_many_redirects"),
        ("/missing", "status"),
    ],
)
def test_a_page_that_cannot_be_kept_is_a_recorded_failed_snapshot(server, path, kind):
    evidence = evidence_at(server.url + path)
    snapshots.request_snapshots([evidence.pk])
    assert snapshots.take_due_snapshots()["failed"] == 1
    snapshot = Snapshot.objects.get()
    assert (snapshot.error_kind, snapshot.text) == (kind, "") and snapshot.error
    evidence.refresh_from_db()
    assert evidence.snapshot_due_at is None  # recorded; an editor may ask again


def test_a_snapshot_page_without_a_snapshot_is_a_404(client):
    evidence = evidence_at("https://example.org/report")
    url = reverse("claims:evidence_snapshot", args=[evidence.claim.slug, evidence.pk])
    assert client.get(url).status_code == 404


def test_an_editor_asks_for_a_snapshot_from_the_evidence_list(server, editor_client):
    evidence = evidence_at(server.url + "/article")
    response = editor_client.post(
        reverse("admin:claims_evidence_changelist"),
        {"action": "take_snapshot", "_selected_action": [evidence.pk]},
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.snapshot_due_at is not None
    snapshots.take_due_snapshots()
    assert "470 per 10,000 workers" in Snapshot.objects.get().text
