from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from claims import lifecycle
from claims.models import Claim, DeadlineSource, Transition
from claims.seeding import (
    LATER_FIELDS,
    SEED_PATH,
    SeedError,
    claim_values,
    load_registry,
    read_seed,
)
from registry.models import Article, Entity, Outlet
from tests.seed_articles import SEED_BEFORE_ISSUE_14, seed_articles_dir

pytestmark = pytest.mark.django_db

SMALL_SEED = {
    "outlets": [{"slug": "merics", "name": "MERICS"}],
    "articles": [
        {
            "slug": "merics-2023-03",
            "outlet": "merics",
            "title": "China Industries",
            "published_on": datetime.date(2023, 3, 1),
            "published_precision": "day",
        },
        {
            "slug": "quality-action",
            "outlet": "merics",
            "title": "Quality Powerhouse",
            "published_on": datetime.date(2017, 9, 1),
            "published_precision": "month",
            "date_note": "The text gives 'September 5' and no year.",
        },
    ],
    "entities": [{"slug": "miit", "name": "MIIT", "kind": "government"}],
    "topics": [{"slug": "robotics", "name": "Robotics"}],
    "claims": [
        {
            "slug": "robot-density-492",
            "article": "merics-2023-03",
            "kind": "target",
            "claimant_type": "reported",
            "claimant": "miit",
            "about": ["miit"],
            "topics": ["robotics"],
            "statement": "Robot density reaches 492 per 10,000 workers by end-2025.",
            "quote": "reach 492 robots per ten thousand manufacturing workers by 2025",
            "deadline_text": "by 2025",
            "resolution_criteria": "IFR figure for 2025 at or above 492.",
        },
        {
            "slug": "foundry-merger",
            "article": "merics-2023-03",
            "kind": "forecast",
            "claimant_type": "outlet",
            "statement": "A foundry merger is announced within 18 months.",
            "quote": "in the next 18 months",
            "deadline_text": "in the next 18 months",
        },
        {
            "slug": "quality-2020",
            "article": "quality-action",
            "kind": "target",
            "claimant_type": "outlet",
            "statement": "Quality improves by 2020.",
            "quote": "By 2020, China intends to",
            "deadline_text": "By 2020",
            "ambiguity": "No year in the article.",
        },
    ],
}


def write_seed(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def snapshot() -> list[tuple]:
    return list(
        Claim.objects.order_by("slug").values_list(
            "slug", "statement", "deadline", "status", "version"
        )
    )


def test_it_loads_claims_with_deadlines_read_from_the_articles_words(tmp_path):
    report = load_registry(write_seed(tmp_path, SMALL_SEED))
    assert report.created == {"outlets": 1, "articles": 2, "entities": 1, "topics": 1, "claims": 3}
    density = Claim.objects.get(slug="robot-density-492")
    assert (density.deadline, density.deadline_precision, density.made_on) == (
        datetime.date(2025, 12, 31),
        "year",
        datetime.date(2023, 3, 1),
    )
    assert density.claimant.slug == "miit" and [t.slug for t in density.topics.all()] == [
        "robotics"
    ]
    merger = Claim.objects.get(slug="foundry-merger")
    assert (merger.deadline, merger.deadline_precision) == (datetime.date(2024, 9, 1), "day")
    assert Claim.objects.get(slug="quality-2020").ambiguity == "No year in the article."
    assert Transition.objects.filter(action="created", via="seed").count() == 3


def test_running_it_twice_changes_nothing(tmp_path):
    path = write_seed(tmp_path, SMALL_SEED)
    load_registry(path)
    before = snapshot()
    report = load_registry(path)
    assert snapshot() == before
    assert report.created == {} and report.updated == [] and report.unchanged == 3
    assert Transition.objects.count() == 3


def test_it_never_overwrites_what_an_editor_changed(tmp_path, editor):
    path = write_seed(tmp_path, SMALL_SEED)
    load_registry(path)
    claim = Claim.objects.get(slug="robot-density-492")
    claim.statement = "Editor's sharper statement."
    lifecycle.edit_claim(claim=claim, by=editor, via="admin")
    changed_seed = {
        **SMALL_SEED,
        "claims": [dict(c, resolution_criteria="New criteria.") for c in SMALL_SEED["claims"]],
    }
    report = load_registry(write_seed(tmp_path, changed_seed))
    claim.refresh_from_db()
    assert claim.statement == "Editor's sharper statement."
    assert claim.resolution_criteria == "IFR figure for 2025 at or above 492."
    assert report.kept_editors_version == ["robot-density-492"]
    # Claims no editor touched take the seed's correction.
    assert sorted(report.updated) == ["foundry-merger", "quality-2020"]
    assert Claim.objects.get(slug="foundry-merger").resolution_criteria == "New criteria."


def test_it_keeps_a_verdict_an_editor_recorded(tmp_path, editor):
    path = write_seed(tmp_path, SMALL_SEED)
    load_registry(path)
    claim = Claim.objects.get(slug="quality-2020")
    lifecycle.resolve_claim(
        claim=claim, verdict="unresolvable", summary="Too vague to judge.", by=editor, via="admin"
    )
    load_registry(path)
    claim.refresh_from_db()
    assert (claim.status, claim.verdict) == ("resolved", "unresolvable")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["claims"][1].update(deadline_text="when pigs fly"),
            'Cannot read "when pigs fly"',
        ),
        (lambda d: d["claims"][1].update(deadline="2025-02-30"), "not a real date"),
        (
            lambda d: d["claims"][1].update(deadline="2020-01-01", deadline_precision="day"),
            "deadline cannot be before",
        ),
        (lambda d: d["claims"][1].update(article="nowhere"), "unknown article"),
        (lambda d: d["claims"][0].update(claimant="nobody"), "unknown entities"),
        (lambda d: d["claims"][2].update(slug="foundry-merger"), "slug is used twice"),
        (lambda d: d["claims"][1].update(statement=""), "statement"),
        (lambda d: d["articles"][0].update(published_precision="week"), "published_precision"),
        (lambda d: d["claims"][1].update(deadline_source="guess"), "not 'guess'"),
        (
            lambda d: d["claims"][1].update(deadline_source="registry"),
            "registry's reading needs its deadline_reason",
        ),
        (
            lambda d: d["claims"][1].update(deadline_text="", deadline_source="article"),
            "deadline_source or deadline_reason without a deadline",
        ),
        (lambda d: d["claims"][1].update(conditional="yes"), "conditional must be true or false"),
    ],
)
def test_a_bad_entry_is_refused_with_a_clear_message_and_nothing_is_stored(
    tmp_path, mutate, message
):
    data = yaml.safe_load(yaml.safe_dump(SMALL_SEED))
    mutate(data)
    with pytest.raises(SeedError, match=message) as error:
        load_registry(write_seed(tmp_path, data))
    assert "nothing was stored" in str(error.value)
    assert (
        not Claim.objects.exists() and not Article.objects.exists() and not Outlet.objects.exists()
    )


def test_the_command_reports_what_it_did_and_fails_loudly(tmp_path):
    out = io.StringIO()
    call_command("seed_registry", "--file", str(write_seed(tmp_path, SMALL_SEED)), stdout=out)
    assert "3 claims" in out.getvalue()
    broken = tmp_path / "broken.yaml"
    broken.write_text("claims: [unclosed")
    with pytest.raises(CommandError, match="Cannot read the seed file"):
        call_command("seed_registry", "--file", str(broken))


# --- The real seed registry ------------------------------------------------------------


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_seed_registry_loads_and_covers_every_article():
    load_registry(SEED_PATH)
    seed = read_seed()
    assert Claim.objects.count() == len(seed["claims"]) >= 40
    for article in Article.objects.all():
        assert article.claims.exists(), f"no claims from {article.slug}"
    assert {k for k in Claim.objects.values_list("kind", flat=True)} == {
        "forecast",
        "target",
        "statistic",
    }
    assert Claim.objects.filter(claimant_type="outlet").exists()
    assert Claim.objects.filter(claimant_type="reported").exists()
    assert Entity.objects.filter(claims_made__isnull=False).exists()


def test_every_seed_quote_is_verbatim_from_its_article():
    seed = read_seed()
    articles_dir = seed_articles_dir()
    texts = {
        a["slug"]: normalise((articles_dir / a["source_file"]).read_text())
        for a in seed["articles"]
    }
    missing = [
        c["slug"] for c in seed["claims"] if normalise(c["quote"]) not in texts[c["article"]]
    ]
    assert missing == []


def test_every_seed_article_without_an_exact_day_says_why_its_date_was_chosen():
    for article in read_seed()["articles"]:
        if article["published_precision"] != "day":
            assert article.get("date_note"), article["slug"]


@pytest.mark.parametrize("ci", ["", "true"])
def test_without_the_source_articles_it_skips_outside_ci_and_fails_under_ci(
    settings, monkeypatch, tmp_path, ci
):
    settings.SEED_ARTICLES_DIR = tmp_path / "no-shared-here"
    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected, match="not in .*no-shared-here"):
        seed_articles_dir()


# --- Issue 14: whose deadline, conditional signals, and bringing an installation up to date ---

# The twelve claims issue 14 names whose horizon is the registry's, not the article's.
ISSUE_14_REGISTRY_READINGS = [
    "jin-consolidate-traditional-sectors-such-as-steel",
    "jin-strengthen-lead-in-evs-pv-power-equipment",
    "jin-faster-commercialisation-of-research",
    "jin-close-tech-gaps-and-build-chokepoint-advantages",
    "jin-green-and-smart-tech-competitive-advantages",
    "chinese-robot-and-vision-suppliers-replace-mid-tier-imports",
    "china-specific-ai-benchmarks-emerge",
    "first-star-market-ipo-of-pure-play-industrial-ai-software-firm",
    "local-governments-keep-funding-pilot-list-companies",
    "soes-and-private-firms-buy-government-listed-industrial-software",
    "miit-raise-domestic-share-of-core-components-chips-nevs",
    "guangdong-robot-city-plan",
]
SIGNALS = {
    "sequoia-china-hillhouse-over-60pct-deep-tech-next-four-quarters",
    "first-star-market-ipo-of-pure-play-industrial-ai-software-firm",
}
# A horizon in a statement: "By the end of 2025, …", "within 24 months", "after February 2023".
HORIZON_IN_STATEMENT = re.compile(
    r"\bby (the end of )?(\w+ )?20\d\d\b|\bwithin \w+ (months|years)\b|\bafter \w+ 20\d\d\b"
    r"|\bover the next\b|\bfrom 20\d\d to 20\d\d\b",
    re.IGNORECASE,
)


def test_every_seed_deadline_says_whose_it_is_and_the_registrys_say_why():
    load_registry(SEED_PATH)
    assert not Claim.objects.filter(deadline__isnull=False, deadline_source="").exists()
    assert not Claim.objects.filter(deadline__isnull=True).exclude(deadline_source="").exists()
    readings = Claim.objects.filter(deadline_source=DeadlineSource.REGISTRY)
    assert set(ISSUE_14_REGISTRY_READINGS) <= set(readings.values_list("slug", flat=True))
    assert not readings.filter(deadline_reason="").exists()
    # A horizon the article does not give is not put in its mouth.
    assert [c.slug for c in readings if HORIZON_IN_STATEMENT.search(c.statement)] == []
    # The two 001 targets without a horizon now have the deadline their notes argued for.
    for slug in ISSUE_14_REGISTRY_READINGS[-2:]:
        claim = Claim.objects.get(slug=slug)
        assert (claim.deadline, claim.deadline_precision) == (datetime.date(2030, 12, 31), "year")


def test_the_outlets_own_tests_of_its_thesis_stay_out_of_its_track_record(editor):
    load_registry(SEED_PATH)
    assert set(Claim.objects.filter(conditional=True).values_list("slug", flat=True)) == SIGNALS
    ainews = Outlet.objects.get(slug="ainews")
    own = Claim.objects.outlet_own().for_outlet(ainews)
    before = own.track_record()
    for claim in Claim.objects.filter(conditional=True):
        lifecycle.resolve_claim(
            claim=claim, verdict="incorrect", summary="It did not happen.", by=editor, via="admin"
        )
    after = own.track_record()
    assert (before.total, before.signals) == (own.count() - 2, 2)
    assert (after.total, after.incorrect, after.resolved, after.signals) == (before.total, 0, 0, 2)


def test_it_brings_an_installation_loaded_from_the_old_seed_up_to_date(editor):
    old_seed, new_seed = read_seed(SEED_BEFORE_ISSUE_14), read_seed(SEED_PATH)
    load_registry(SEED_BEFORE_ISSUE_14)
    # What the loader stored before the new fields existed: a fingerprint of the old fields alone.
    jin = Claim.objects.get(slug="jin-consolidate-traditional-sectors-such-as-steel")
    old_values = {k: v for k, v in claim_values(jin).items() if k not in LATER_FIELDS}
    old_fingerprint = hashlib.sha256(
        json.dumps(old_values, sort_keys=True, default=str).encode()
    ).hexdigest()
    assert jin.seed_fingerprint == old_fingerprint
    # An editor sharpens one claim through the lifecycle, as in the admin.
    edited = Claim.objects.get(slug="cic-breakthroughs-remain-uphill-battle")
    edited.statement = "An editor's statement."
    lifecycle.edit_claim(claim=edited, by=editor, via="admin")

    report = load_registry(SEED_PATH)

    assert report.kept_editors_version == ["cic-breakthroughs-remain-uphill-battle"]
    edited.refresh_from_db()
    assert (edited.statement, edited.deadline_source, edited.version) == (
        "An editor's statement.",
        "",
        2,
    )
    new_slugs = {c["slug"] for c in new_seed["claims"]} - {c["slug"] for c in old_seed["claims"]}
    assert report.created["claims"] == len(new_slugs) == 33
    assert Claim.objects.count() == len(new_seed["claims"])
    assert report.unchanged + len(report.updated) + 1 == len(old_seed["claims"])
    # Claims no editor touched take the new reading: statement, whose deadline, signals.
    jin.refresh_from_db()
    assert jin.statement.startswith("China upgrades its manufacturing by consolidating firms")
    assert (jin.deadline_source, jin.deadline, jin.version) == (
        "registry",
        datetime.date(2025, 12, 31),
        2,
    )
    assert Claim.objects.get(slug="guangdong-robot-city-plan").deadline == datetime.date(
        2030, 12, 31
    )
    assert Claim.objects.get(slug=sorted(SIGNALS)[0]).conditional is True
    assert "jin-consolidate-traditional-sectors-such-as-steel" in report.updated
    assert jin.transitions.filter(via="seed").count() >= 1
    assert "Kept the editors' version of 1 claims: cic-breakthroughs-remain-uphill-battle" in (
        report.summary()
    )
    per_claim = report.summary(per_claim=True).splitlines()
    assert "  updated: jin-consolidate-traditional-sectors-such-as-steel" in per_claim
    assert "  created: merics-jin-competitive-advantages-read-as-chokepoints" in per_claim
    assert not any("cic-breakthroughs" in line for line in per_claim if line.startswith("  "))

    # Loaded again, the new seed changes nothing and still reports the editor's claim.
    again = load_registry(SEED_PATH)
    assert (again.created, again.updated) == ({}, [])
    assert again.kept_editors_version == ["cic-breakthroughs-remain-uphill-battle"]
    assert again.unchanged == len(new_seed["claims"]) - 1
