"""Link health as editors and integrators meet it: the refusal of private addresses on save,
the desk's queue of claims whose evidence died, the digest, articles from a URL, and a real
worker running the job twice at once."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from claims import fetching, tasks
from claims.intake.from_url import read_article_from_url
from claims.intake.reading import IntakeError
from claims.jobs import notifications
from claims.models import Evidence, LinkCheck
from registry.models import Article, TextSource
from tests.api.conftest import token_client
from tests.factories import ClaimFactory, EvidenceFactory, OutletFactory
from tests.jobs.conftest import wait_until_idle
from tests.jobs.test_link_checks import ARTICLE, Pages, start

INTRANET = "https://intranet.example.org/report"


@pytest.fixture
def intranet_name(monkeypatch):
    """A name that resolves to a private address, as a company's intranet does (no resolver
    here knows such a name, so this one answers for it; every other name resolves as usual)."""
    real = fetching.resolve_host

    def resolve(host, port):
        return ["10.0.0.5"] if host == "intranet.example.org" else real(host, port)

    monkeypatch.setattr(fetching, "resolve_host", resolve)


@pytest.fixture
def loopback(settings):
    settings.FETCH_ALLOWED_PRIVATE_ADDRESSES = ["127.0.0.1/32"]
    server = start()
    server.RequestHandlerClass, server.times = Pages, []
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


MESSAGE = "intranet.example.org resolves to 10.0.0.5, a private address"


@pytest.mark.django_db
def test_the_evidence_page_refuses_a_name_that_resolves_to_a_private_address(
    editor_client, intranet_name
):
    data = {"claim": ClaimFactory().pk, "url": INTRANET, "title": "Report", "stance": "supports"}
    response = editor_client.post(reverse("admin:claims_evidence_add"), data)
    assert response.status_code == 200
    assert MESSAGE in " ".join(response.context["adminform"].form.errors["url"])
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_a_name_that_resolves_to_a_private_address(editor, intranet_name):
    editor_api = token_client(editor)
    data = {"claim": ClaimFactory().pk, "url": INTRANET, "title": "Report", "stance": "supports"}
    response = editor_api.post("/api/v1/evidence/", data, format="json")
    assert response.status_code == 400
    assert MESSAGE in response.json()["url"][0]
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_a_name_that_does_not_resolve_yet_is_kept(editor):
    editor_api = token_client(editor)
    data = {
        "claim": ClaimFactory().pk,
        "url": "https://not-yet.example.org/r",
        "title": "Report",
        "stance": "supports",
    }
    assert editor_api.post("/api/v1/evidence/", data, format="json").status_code == 201


@pytest.mark.django_db
def test_the_desk_and_the_digest_list_claims_whose_evidence_died(editor_client):
    dead = EvidenceFactory(link_state="dead", claim=ClaimFactory(statement="Exports will double."))
    EvidenceFactory(link_state="failing", claim=ClaimFactory(statement="Prices will fall."))

    page = editor_client.get(reverse("admin:index")).content.decode()
    assert "Claims whose evidence has died (1)" in page
    assert "Exports will double." in page and "Prices will fall." not in page
    assert "?link_state__exact=dead" in page

    content = notifications.digest_content(
        since=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC), today=datetime.date(2027, 1, 2)
    )
    assert [claim for claim, _ in content["dead_evidence"]] == [dead.claim]
    assert content["dead_evidence_total"] == 1


@pytest.mark.django_db
def test_the_desk_has_no_dead_evidence_panel_when_none_died(editor_client):
    EvidenceFactory(link_state="ok")
    assert "evidence has died" not in editor_client.get(reverse("admin:index")).content.decode()


# --- articles from a URL -----------------------------------------------------------------------


def test_it_reads_an_article_from_a_url_keeping_its_address_and_snapshot(loopback):
    fetched = read_article_from_url(loopback.url + "/article", today=datetime.date(2027, 5, 3))
    assert fetched.article.title == "Robots in 2026"
    assert "470 per 10,000 workers" in fetched.article.text
    assert "alert" not in fetched.article.text
    assert fetched.final_url == loopback.url + "/article"
    assert fetched.snapshot["text"] == fetched.article.text
    assert len(fetched.snapshot["sha256"]) == 64
    assert loopback.times and ARTICLE


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/pdf", "application/pdf, not HTML or text"),
        ("/missing", "the server answered 404"),
        ("/loop-a", "more than 5 redirects"),
        ("/big-undeclared", "cap"),
    ],
)
def test_a_url_that_gives_no_article_is_refused_saying_why(loopback, path, words):
    with pytest.raises(IntakeError, match="could not be fetched") as refused:
        read_article_from_url(loopback.url + path)
    assert words in str(refused.value)


def test_an_article_url_on_a_private_address_is_refused_at_fetch_time(intranet_name):
    with pytest.raises(IntakeError) as refused:
        read_article_from_url(INTRANET)
    assert MESSAGE in str(refused.value)


# --- a real worker ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_on_a_worker_check_each_link_once(
    celery_worker, redis_broker, loopback, settings
):
    servers = [loopback] + [start() for _ in range(3)]
    for extra in servers[1:]:
        extra.RequestHandlerClass, extra.times = Pages, []
    try:
        for server in servers:
            for n in range(3):  # three links on each of four hosts
                EvidenceFactory(url=f"http://127.0.0.1:{server.server_port}/page?{n}")
        tasks.check_links.delay()
        tasks.check_links.delay()
        wait_until_idle(redis_broker, timeout=30)
    finally:
        for extra in servers[1:]:
            extra.shutdown()
            extra.server_close()
    assert LinkCheck.objects.count() == 12
    assert sorted(LinkCheck.objects.values_list("evidence", flat=True)) == sorted(
        Evidence.objects.values_list("pk", flat=True)
    )
    assert sum(len(server.times) for server in servers) == 12  # one HEAD per link
    assert set(Evidence.objects.values_list("link_state", flat=True)) == {"ok"}


def test_an_editor_brings_in_an_article_by_its_address_alone(loopback, editor_client):
    add = reverse("admin:registry_article_from_text")
    url = loopback.url + "/article"
    read = editor_client.post(add, {"url": url, "published_precision": "day", "_read": "1"})
    assert read.status_code == 200
    form = read.context["form"]
    assert form["title"].value() == "Robots in 2026"
    assert "470 per 10,000 workers" in form["text"].value()
    outlet = OutletFactory(name="Robot Weekly")
    created = editor_client.post(
        add,
        {
            "text": form["text"].value(),
            "title": form["title"].value(),
            "outlet": outlet.pk,
            "published_on": "2026-05-03",
            "published_precision": "day",
            "url": form["url"].value(),
            "source_kind": form["source_kind"].value(),
            "source_name": form["source_name"].value(),
            "_create": "1",
        },
    )
    assert created.status_code == 302, created.context["form"].errors
    article = Article.objects.get(title="Robots in 2026")
    assert (article.url, article.source_kind, article.source_name) == (url, TextSource.URL, url)
    assert "alert" not in article.source_text  # the page's script never reaches the text


def test_an_article_address_that_cannot_be_fetched_is_refused_at_the_address(
    loopback, editor_client
):
    add = reverse("admin:registry_article_from_text")
    response = editor_client.post(
        add, {"url": loopback.url + "/missing", "published_precision": "day", "_read": "1"}
    )
    assert response.status_code == 200
    assert "the server answered 404" in " ".join(response.context["form"].errors["url"])
    assert not Article.objects.exists()
