"""Evidence addresses and one-line text: what every path (model full_clean, admin, API, seed
loader) stores and refuses, checked at the model and the shared validators."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from claims.validators import normalize_web_address, validate_web_address
from registry.validators import validate_no_bidi_controls
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EntityFactory,
    EvidenceFactory,
    OutletFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("HTTP://EXAMPLE.ORG/", "http://example.org/"),
        (
            "  Https://Stats.Gov.CN/Report?Year=2025#Table ",
            "https://stats.gov.cn/Report?Year=2025#Table",
        ),
        ("http://аpple.com/", "http://xn--pple-43d.com/"),  # Cyrillic "а": shown as what it is
        ("https://例子.中国/路径", "https://例子.中国/路径"),  # one script: stays readable
        ("https://пример.рф/", "https://пример.рф/"),
        ("https://[2001:DB8::1]:8443/x", "https://[2001:db8::1]:8443/x"),
    ],
)
def test_it_normalises_the_scheme_and_host_and_shows_mixed_script_hosts_as_punycode(typed, stored):
    assert normalize_web_address(typed) == stored


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://user:pass@example.org/", "user name and password"),
        ("https://token@example.org/", "user name and password"),
        ("http://localhost/", "this machine or one on a local network"),
        ("http://intranet.localhost:8000/", "local network"),
        ("http://printer.local/", "local network"),
        ("http://vault.internal/", "local network"),
        ("http://127.0.0.1/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[64:ff9b::a00:1]/", "private-network"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://10.0.0.1/", "private-network"),
        ("http://192.168.1.1/", "private-network"),
        ("http://[fd00::1]/", "private-network"),
        ("http://0.0.0.0/", "not a public web address"),
        ("http://100.64.0.1/", "reserved"),
        # Numeric forms a browser reads as 127.0.0.1; refused (Django's URL check stops them).
        ("http://2130706433/", "http:// or https://"),
        ("http://0x7f000001/", "http:// or https://"),
        ("http://127.1/", "http:// or https://"),
    ],
)
def test_it_refuses_addresses_that_are_not_public_web_pages_with_the_reason(url, reason):
    with pytest.raises(ValidationError) as refused:
        validate_web_address(normalize_web_address(url))
    assert reason in " ".join(refused.value.messages)


@pytest.mark.parametrize(
    "url",
    [
        "https://8.8.8.8/",
        "http://[2001:4860:4860::8888]/",
        "https://www.stats.gov.cn/",
        "https://xn--pple-43d.com/",
    ],
)
def test_it_accepts_public_addresses(url):
    validate_web_address(normalize_web_address(url))


def test_an_evidence_link_is_stored_normalised_by_full_clean(db):
    evidence = EvidenceFactory.build(claim=ClaimFactory(), url="HTTP://EXAMPLE.ORG/Report")
    evidence.full_clean()
    evidence.save()  # the database's evidence_url_http constraint is satisfied

    evidence.refresh_from_db()
    assert evidence.url == "http://example.org/Report"


def test_an_out_of_range_probability_is_a_field_error_not_a_constraint_error(db):
    for probability, refused in (("1.5", True), ("-0.001", True), ("1", False), ("0", False)):
        claim = ClaimFactory.build(article=ArticleFactory(), probability=probability)
        if not refused:
            claim.full_clean(exclude=["about", "topics"])
            continue
        with pytest.raises(ValidationError) as error:
            claim.full_clean(exclude=["about", "topics"])
        assert list(error.value.message_dict) == ["probability"], error.value.message_dict


@pytest.mark.parametrize(
    "control",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"],
)
def test_it_refuses_text_direction_controls_naming_them(control):
    with pytest.raises(ValidationError) as refused:
        validate_no_bidi_controls(f"Output {control}rises 5%")
    assert f"U+{ord(control):04X}" in refused.value.messages[0]


def test_text_without_direction_controls_passes_including_right_to_left_scripts():
    validate_no_bidi_controls("تقرير الإحصاء \u200f and 统计公报")  # a right-to-left mark is fine


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda text: ClaimFactory.build(article=ArticleFactory(), statement=text), "statement"),
        (lambda text: ArticleFactory.build(outlet=OutletFactory(), title=text), "title"),
        (lambda text: OutletFactory.build(name=text), "name"),
        (lambda text: EntityFactory.build(name=text), "name"),
        (lambda text: TopicFactory.build(name=text), "name"),
    ],
)
def test_every_one_line_field_refuses_direction_controls(make, field):
    row = make("Exports \u202eof 5% rise")
    with pytest.raises(ValidationError) as refused:
        row.full_clean(exclude=["about", "topics"] if field == "statement" else None)
    assert field in refused.value.message_dict


def test_evidence_title_refuses_direction_controls():
    evidence = EvidenceFactory.build(claim=ClaimFactory(), title="Report \u2066x\u2069")
    with pytest.raises(ValidationError) as refused:
        evidence.full_clean()
    assert "title" in refused.value.message_dict
