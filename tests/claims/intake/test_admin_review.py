"""Intake in the admin, through real requests as an editor: paste an article, confirm what was
read, review the proposals, accept two and reject one; a re-run proposes neither again."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from claims.models import Claim, Proposal, Transition
from registry.models import Article, TextSource
from tests.factories import ArticleFactory, ClaimFactory, EntityFactory, OutletFactory, UserFactory

pytestmark = pytest.mark.django_db

FROM_TEXT = reverse("admin:registry_article_from_text")
ENERGY_PLAN = """The national energy plan
2024-03-01
The plan sets these goals for 2028:
- Raise the share of renewables in power generation to 40%
- Cut coal consumption by 10% from 2023 levels
- Build 30 new pumped-storage plants
Officials said the goals were agreed in January.
"""


def read(client, **values):
    return client.post(FROM_TEXT, {"published_precision": "day", "_read": "1", **values})


def create(client, **values):
    data = {"published_precision": "day", "source_kind": "pasted", "_create": "1", **values}
    return client.post(FROM_TEXT, data)


def review_url(article) -> str:
    return reverse("admin:registry_article_proposals", args=[article.pk])


def rows(article):
    return list(article.proposals.order_by("position"))


def typed(article, **changes) -> dict:
    """The review form as the page shows it, with ``changes`` (p<id>-field: value) applied."""
    data = {}
    for p in rows(article):
        if p.state != Proposal.State.PENDING:
            continue
        data |= {
            f"p{p.pk}-statement": p.statement,
            f"p{p.pk}-kind": p.kind,
            f"p{p.pk}-claimant": p.claimant,
            f"p{p.pk}-deadline_text": p.deadline_text,
        }
    return data | changes


def paste_energy_plan(client, outlet) -> Article:
    response = read(client, text=ENERGY_PLAN)
    assert response.status_code == 200
    form = response.context["form"]
    # What was read is shown for the editor to confirm: title and date from the text.
    assert form["title"].value() == "The national energy plan"
    assert form["published_on"].value() == "2024-03-01"
    response = create(
        client,
        text=form["text"].value(),
        title=form["title"].value(),
        outlet=outlet.pk,
        published_on=form["published_on"].value(),
    )
    assert response.status_code == 302, response.context["form"].errors
    article = Article.objects.get(title="The national energy plan")
    assert response["Location"] == review_url(article)
    return article


def test_paste_review_accept_two_reject_one_and_a_rerun_proposes_neither(editor_client, editor):
    outlet = OutletFactory(name="Energy Desk")
    article = paste_energy_plan(editor_client, outlet)
    assert article.source_text == ENERGY_PLAN
    assert article.source_kind == TextSource.PASTED
    assert article.published_on == datetime.date(2024, 3, 1)
    proposals = rows(article)
    assert [p.quote for p in proposals] == [
        "Raise the share of renewables in power generation to 40%",
        "Cut coal consumption by 10% from 2023 levels",
        "Build 30 new pumped-storage plants",
    ]
    page = editor_client.get(review_url(article))
    assert page.status_code == 200
    assert b'<mark id="quote-1">' in page.content
    assert "31 December 2028" in page.content.decode()

    renewables, coal, plants = proposals
    response = editor_client.post(
        review_url(article),
        typed(
            article,
            **{
                f"p{renewables.pk}-selected": "on",
                f"p{renewables.pk}-statement": "Renewables supply 40% of power by 2028.",
                f"p{renewables.pk}-claimant": "Ministry of Energy",
                f"p{coal.pk}-selected": "on",
                f"p{coal.pk}-deadline_text": "by 2027",
                "_accept": "1",
            },
        ),
    )
    assert response.status_code == 302
    claims = {c.quote: c for c in Claim.objects.filter(article=article)}
    assert set(claims) == {renewables.quote, coal.quote}
    first = claims[renewables.quote]
    assert first.statement == "Renewables supply 40% of power by 2028."
    assert first.kind == "target"
    assert first.claimant.name == "Ministry of Energy"
    assert first.deadline == datetime.date(2028, 12, 31)
    # The hedge stays with the claim, for the track records' hit rate per class.
    assert (first.hedge, first.hedge_class) == (renewables.hedge, "target")
    assert claims[coal.quote].deadline == datetime.date(2027, 12, 31)  # the editor's words
    log = Transition.objects.get(claim=first)
    assert (log.action, log.via, log.by) == ("created", "intake", editor)

    response = editor_client.post(
        review_url(article), typed(article, **{f"p{plants.pk}-selected": "on", "_reject": "1"})
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=plants.pk).state == Proposal.State.REJECTED

    editor_client.post(review_url(article), {"_propose": "1"})
    assert article.proposals.count() == 3  # nothing proposed again: accepted, rejected
    assert not article.proposals.filter(state=Proposal.State.PENDING).exists()
    assert Claim.objects.filter(article=article).count() == 2


def test_what_an_editor_types_is_kept_on_preview_and_when_accepting_fails(editor_client):
    article = paste_energy_plan(editor_client, OutletFactory())
    renewables = rows(article)[0]
    response = editor_client.post(
        review_url(article),
        typed(
            article,
            **{
                f"p{renewables.pk}-statement": "My own wording.",
                f"p{renewables.pk}-deadline_text": "within two years",
                "_preview": "1",
            },
        ),
    )
    assert response.status_code == 200
    assert "1 March 2026" in response.content.decode()  # two years from 1 March 2024
    stored = Proposal.objects.get(pk=renewables.pk)
    assert (stored.statement, stored.deadline_text) == ("My own wording.", "within two years")

    response = editor_client.post(
        review_url(article),
        typed(
            article,
            **{
                f"p{renewables.pk}-selected": "on",
                f"p{renewables.pk}-deadline_text": "sometime soonish",
                "_accept": "1",
            },
        ),
    )
    assert response.status_code == 200
    assert "Cannot read" in response.content.decode()
    assert not Claim.objects.exists()
    assert Proposal.objects.get(pk=renewables.pk).deadline_text == "sometime soonish"


def test_an_upload_of_a_saved_page_is_read_and_its_scripts_never_reach_the_review(
    editor_client, fixture_bytes
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = SimpleUploadedFile("wind.html", fixture_bytes("page.html"), "text/html")
    response = read(editor_client, page=page)
    form = response.context["form"]
    assert form["title"].value() == "Wind power to double by 2030"
    assert form["new_outlet"].value() == "Energy Desk"
    assert form["published_on"].value() == "2024-06-03"
    assert form["source_name"].value() == "wind.html"
    response = create(
        editor_client,
        **{name: form[name].value() or "" for name in form.fields if name != "page"},
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.outlet.name == "Energy Desk"
    assert (article.source_kind, article.source_name) == (TextSource.HTML_FILE, "wind.html")
    body = editor_client.get(review_url(article)).content.decode()
    for planted in ("SCRIPTTEXT", "STYLETEXT", "<script>var"):
        assert planted not in body


def test_the_review_page_shows_the_articles_text_escaped(editor_client):
    article = ArticleFactory(
        source_text="<script>alert(1)</script> Output will grow 5% by 2027, the ministry said."
    )
    Proposal.objects.create(
        article=article,
        position=1,
        quote="Output will grow 5% by 2027",
        kind="forecast",
        start=27,
        end=54,
    )
    body = editor_client.get(review_url(article)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"text": "   "}, "text", "The article is empty"),
        ({"text": "x" * (2 * 1024 * 1024 + 1)}, "text", "2 MB"),
        ({"text": ENERGY_PLAN, "published_on": "2999-01-01"}, "published_on", "in the future"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_stores_nothing(
    editor_client, values, field, message
):
    response = read(editor_client, **values)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Article.objects.exists()


def test_a_binary_upload_is_refused(editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = SimpleUploadedFile("photo.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" * 50)
    response = read(editor_client, page=page)
    assert "binary file" in " ".join(response.context["form"].errors["page"])
    assert not Article.objects.exists()


def test_text_in_another_language_finds_no_claims_says_so_and_stores_nothing(
    editor_client, fixture_bytes
):
    text = fixture_bytes("german.txt").decode()
    outlet = OutletFactory()
    response = create(
        editor_client, text=text, title="Ausblick", outlet=outlet.pk, published_on="2024-01-10"
    )
    assert response.status_code == 200
    assert "does not read as English" in " ".join(response.context["form"].errors["text"])
    assert not Article.objects.exists()
    assert response.context["form"]["text"].value() == text  # nothing typed is lost


def test_a_date_printed_in_the_future_is_not_taken_and_the_editor_is_asked(
    editor_client, fixture_bytes
):
    response = read(editor_client, text=fixture_bytes("dates_future.txt").decode())
    assert response.context["form"]["published_on"].value() == ""
    assert any("in the future" in note for note in response.context["notes"])
    assert not Article.objects.exists()


def test_the_article_page_lists_its_claims_and_offers_intake(editor_client):
    article = ArticleFactory(source_text="Output will grow 5% by 2027.")
    claim = ClaimFactory(article=article, quote="Output will grow 5% by 2027.")
    body = editor_client.get(
        reverse("admin:registry_article_change", args=[article.pk])
    ).content.decode()
    assert claim.statement[:40] in body
    assert "Propose claims" in body
    assert f"{reverse('admin:claims_claim_add')}?article={article.pk}" in body
    changelist = editor_client.get(reverse("admin:registry_article_changelist")).content.decode()
    assert FROM_TEXT in changelist


def test_save_and_add_another_keeps_the_article_claimant_and_about(editor_client):
    article = ArticleFactory(published_on=datetime.date(2024, 1, 1))
    ministry = EntityFactory(name="Ministry")
    fund = EntityFactory(name="Fund")
    response = editor_client.post(
        reverse("admin:claims_claim_add"),
        {
            "statement": "Output grows 5% in 2027.",
            "slug": "output-grows",
            "kind": "forecast",
            "quote": "Output will grow 5% by 2027.",
            "article": article.pk,
            "claimant_type": "reported",
            "claimant": ministry.pk,
            "about": [ministry.pk, fund.pk],
            "deadline_text": "by 2027",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
            "transitions-TOTAL_FORMS": "0",
            "transitions-INITIAL_FORMS": "0",
            "_addanother": "1",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    follow = editor_client.get(response["Location"])
    initial = follow.context["adminform"].form.initial
    assert str(initial["article"]) == str(article.pk)
    assert str(initial["claimant"]) == str(ministry.pk)
    assert initial["claimant_type"] == "reported"
    assert sorted(map(int, initial["about"])) == sorted([ministry.pk, fund.pk])


def test_only_editors_may_review(client):
    article = ArticleFactory(source_text="Output will grow 5% by 2027.")
    client.force_login(UserFactory(is_staff=True))
    assert client.get(review_url(article)).status_code == 403
    assert client.get(FROM_TEXT).status_code == 403
