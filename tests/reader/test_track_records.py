from __future__ import annotations

import pytest

from claims.models import Claim, ClaimantType, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    DueClaimFactory,
    EntityFactory,
    OutletFactory,
    ResolvedClaimFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


def reported(**kwargs):
    kwargs.setdefault("claimant", EntityFactory())
    return {"claimant_type": ClaimantType.REPORTED, **kwargs}


def test_it_counts_a_track_record_by_status_and_verdict_in_one_query(django_assert_num_queries):
    ClaimFactory()
    DueClaimFactory()
    ResolvedClaimFactory(verdict=Verdict.CORRECT)
    ResolvedClaimFactory(verdict=Verdict.CORRECT)
    ResolvedClaimFactory(verdict=Verdict.INCORRECT)
    ResolvedClaimFactory(verdict=Verdict.PARTLY_CORRECT)
    ResolvedClaimFactory(verdict=Verdict.UNRESOLVABLE)

    with django_assert_num_queries(1):
        record = Claim.objects.track_record()

    assert (record.total, record.open, record.due, record.pending) == (7, 1, 1, 2)
    assert (record.correct, record.incorrect, record.partly_correct) == (2, 1, 1)
    # Unresolvable claims are neither right nor wrong.
    assert (record.judged, record.share_correct) == (4, 0.5)


def test_it_has_no_share_correct_before_anything_is_judged():
    DueClaimFactory()
    assert Claim.objects.track_record().share_correct is None


def test_it_keeps_an_outlets_own_forecasts_apart_from_the_targets_it_reports(client):
    outlet = OutletFactory(slug="ledger", name="The Daily Ledger")
    article = ArticleFactory(outlet=outlet)
    ResolvedClaimFactory(article=article, statement="Own, right.", verdict=Verdict.CORRECT)
    ResolvedClaimFactory(article=article, statement="Own, wrong.", verdict=Verdict.INCORRECT)
    ResolvedClaimFactory(
        article=article, statement="Reported target, missed.", **reported(verdict=Verdict.INCORRECT)
    )
    DueClaimFactory(article=article, statement="Reported, due.", **reported())
    ResolvedClaimFactory(verdict=Verdict.INCORRECT)  # another outlet's

    response = client.get("/outlets/ledger/")

    own, others = response.context["own_record"], response.context["reported_record"]
    assert (own.total, own.correct, own.incorrect, own.share_correct) == (2, 1, 1, 0.5)
    assert (others.total, others.incorrect, others.due) == (2, 1, 1)
    page = response.content.decode()
    own_section = page[page.index('id="own-heading"') : page.index('id="reported-heading"')]
    assert "Own, right." in own_section and "Reported target, missed." not in own_section
    assert "50%" in page and "1 correct of 2 judged" in page


def test_it_gives_a_claimant_the_record_of_the_claims_it_made(client):
    ministry = EntityFactory(slug="ministry", name="Ministry of Industry")
    ResolvedClaimFactory(statement="Target met.", **reported(claimant=ministry))
    ResolvedClaimFactory(
        statement="Target missed.", **reported(claimant=ministry, verdict=Verdict.INCORRECT)
    )
    DueClaimFactory(statement="Target pending.", **reported(claimant=ministry))
    about = ClaimFactory(statement="An analyst on the ministry.")
    about.about.add(ministry)

    response = client.get("/claimants/ministry/")

    record = response.context["record"]
    assert (record.total, record.correct, record.incorrect, record.pending) == (3, 1, 1, 1)
    page = response.content.decode()
    assert "<h1>Ministry of Industry</h1>" in page
    assert "An analyst on the ministry." in page[page.index('id="about-heading"') :]


def test_it_lists_an_articles_claims_with_both_records(client):
    article = ArticleFactory(slug="output-2026", title="Output in 2026")
    ClaimFactory(article=article, statement="The outlet forecast.")
    ClaimFactory(article=article, statement="A reported target.", **reported())
    ClaimFactory(statement="A claim elsewhere.")

    response = client.get("/articles/output-2026/")

    page = response.content.decode()
    assert "The outlet forecast." in page and "A reported target." in page
    assert "A claim elsewhere." not in page
    assert response.context["own_record"].total == 1
    assert response.context["reported_record"].total == 1


def test_it_sends_a_topic_to_the_filtered_claim_list(client):
    TopicFactory(slug="energy")
    response = client.get("/topics/energy/")
    assert (response.status_code, response["Location"]) == (302, "/claims/?topic=energy")
    assert client.get("/topics/none/").status_code == 404
