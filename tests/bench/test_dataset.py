"""The serving benchmark's data (bench/dataset.py) fits the current schema and renders."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from bench import dataset
from claims.models import Claim, Evidence, Transition

pytestmark = pytest.mark.django_db

SMALL = dataset.Shape(claims=200, evidence=600, outlets=5, entities=20, topics=4)


@pytest.fixture
def built():
    """The benchmark's own builder for this database, on the test database's connection."""
    connection.ensure_connection()
    raw = connection.connection.cursor()
    if connection.vendor == "postgresql":
        dataset.build_postgres(raw, SMALL)
    else:
        dataset.build_sqlite(raw, SMALL)
    raw.close()
    return SMALL


def test_it_fills_every_column_the_constraints_and_the_pages_need(client, built):
    # Every page the benchmark drives answers from the built rows (the database's NOT NULL and
    # check constraints already passed: the build would have failed).
    for _name, path in dataset.addresses(built):
        assert client.get(path).status_code == 200, path


def test_the_rows_read_back_as_described(built):
    assert Claim.objects.count() == 200 and Evidence.objects.count() == 600
    statuses = {s: Claim.objects.filter(status=s).count() for s in ("open", "due", "resolved")}
    assert statuses == {"open": 120, "due": 30, "resolved": 50}
    assert Claim.objects.filter(claimant_type="reported").count() == 200 // 3
    # Dates and times as Django stores them on either database.
    claim = Claim.objects.get(slug="claim-15")
    assert claim.status == "resolved" and claim.verdict == dataset.VERDICTS[15 % 4]
    assert claim.resolved_at == dataset.NOW - datetime.timedelta(days=15)
    assert claim.deadline == dataset.claim_deadline(15)
    assert Transition.objects.count() == 200 + 30 + 50 + 50
    assert Evidence.objects.filter(link_state="dead").count() == 600 // 50
    # The ids go on from the built ones.
    later = Claim.objects.create(
        slug="later",
        article_id=1,
        statement="A later claim.",
        quote="q",
        kind="forecast",
        made_on=datetime.date(2026, 1, 1),
    )
    assert later.pk == 201
