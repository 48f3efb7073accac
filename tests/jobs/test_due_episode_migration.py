"""Migration 0009 keys the due notices already stored on their due episode."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("claims", "0006_list_order_indexes")]
AFTER = [("claims", "0009_notification_due_episode")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_due_notices_are_linked_to_their_episode_and_repeats_removed():
    old = migrate(BEFORE)
    User = old.get_model("auth", "User")
    Claim = old.get_model("claims", "Claim")
    Transition = old.get_model("claims", "Transition")
    Notification = old.get_model("claims", "Notification")
    Outlet, Article = old.get_model("registry", "Outlet"), old.get_model("registry", "Article")
    ada = User.objects.create(username="ada", email="ada@example.org")
    article = Article.objects.create(
        outlet=Outlet.objects.create(slug="o", name="O"),
        slug="a",
        title="A",
        url="https://example.org/a",
        published_on=datetime.date(2024, 1, 1),
    )
    now = timezone.now()
    claim = Claim.objects.create(
        article=article,
        slug="c",
        statement="S.",
        quote="Q.",
        kind="forecast",
        claimant_type="outlet",
        made_on=datetime.date(2024, 1, 1),
        deadline=datetime.date(2025, 1, 10),
        deadline_precision="day",
        status="due",
        due_since=now,
    )
    flagged = Transition.objects.create(
        claim=claim, action="flagged_due", from_status="open", to_status="due", via="j", at=now
    )
    Transition.objects.create(
        claim=claim, action="deadline_moved", from_status="due", to_status="due", via="a", at=now
    )
    first = Notification.objects.create(
        recipient=ada, claim=claim, event="due", event_date=datetime.date(2025, 1, 1), state="sent"
    )
    # The repeat the old key let through, after the deadline was corrected.
    Notification.objects.create(
        recipient=ada, claim=claim, event="due", event_date=datetime.date(2025, 1, 10)
    )

    new = migrate(AFTER)

    [kept] = new.get_model("claims", "Notification").objects.all()
    assert (kept.pk, kept.episode_id, kept.state) == (first.pk, flagged.pk, "sent")


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # as the rest of the suite expects
