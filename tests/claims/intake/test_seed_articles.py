"""The intake on the development set: the five seed articles and the seed registry's claims."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from claims.intake import propose_claims, read_article
from claims.intake.report import development_report
from claims.seeding import read_seed
from tests.seed_articles import SEED_BEFORE_ISSUE_14, seed_articles_dir


def test_it_finds_nine_in_ten_seed_claims_and_most_proposals_are_claims():
    scores = development_report(seed_articles_dir())
    claims = sum(len(s.claims) for s in scores)
    right = {slug for s in scores for slug in s.right}
    proposals = sum(len(s.proposals) for s in scores)
    matching = sum(s.matching_proposals for s in scores)
    assert claims == len(read_seed()["claims"])
    # Nine in ten of the 99 claims the intake was built against; the claims issue 14 added
    # (what the first reading missed) are found less often, so all together the bar is lower.
    first_reading = {c["slug"] for c in read_seed(SEED_BEFORE_ISSUE_14)["claims"]}
    assert len(right & first_reading) / len(first_reading) >= 0.9
    assert len(right) / claims >= 0.8
    assert matching / proposals >= 0.6


def test_every_proposal_quote_is_verbatim_in_its_article():
    for path in sorted(seed_articles_dir().iterdir()):
        article = read_article(path.read_bytes())
        for proposal in propose_claims(article).proposals:
            assert proposal.quote in article.text


def test_the_report_command_prints_a_row_per_article():
    folder = seed_articles_dir()
    out = StringIO()
    call_command("intake_report", "--articles", str(folder), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:3] == ["article", "claims", "found"]
    assert [line.split()[0] for line in lines[1:7]] == [
        "000_8038e75979087d81.txt",
        "001_4742288617031822.txt",
        "002_95ed701810f5dc79.txt",
        "003_1f5916933fa91dac.txt",
        "004_21124bc296aca1d1.txt",
        "all",
    ]
