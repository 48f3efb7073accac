from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from claims.models import Claim, ClaimantType, Evidence, Kind, Status, Transition, Verdict
from registry.models import Article, Entity, Outlet, Topic


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    slug = factory.Sequence(lambda n: f"outlet-{n}")
    name = factory.Sequence(lambda n: f"Outlet {n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    slug = factory.Sequence(lambda n: f"article-{n}")
    outlet = factory.SubFactory(OutletFactory)
    title = factory.Sequence(lambda n: f"Article {n}")
    published_on = datetime.date(2024, 1, 15)
    published_precision = "day"


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    slug = factory.Sequence(lambda n: f"entity-{n}")
    name = factory.Sequence(lambda n: f"Entity {n}")
    kind = Entity.Kind.GOVERNMENT


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.Sequence(lambda n: f"Topic {n}")


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim stored directly (no lifecycle): tests of the lifecycle set the state they need."""

    class Meta:
        model = Claim

    slug = factory.Sequence(lambda n: f"claim-{n}")
    article = factory.SubFactory(ArticleFactory)
    claimant_type = ClaimantType.OUTLET
    statement = factory.Sequence(lambda n: f"Checkable statement number {n}.")
    quote = "A verbatim sentence from the article."
    kind = Kind.FORECAST
    made_on = factory.SelfAttribute("article.published_on")
    deadline = datetime.date(2027, 12, 31)
    deadline_text = "by 2027"
    deadline_precision = "year"


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    claim = factory.SubFactory(ClaimFactory)
    url = factory.Sequence(lambda n: f"https://example.org/report/{n}")
    title = factory.Sequence(lambda n: f"Report {n}")
    stance = Evidence.Stance.SUPPORTS


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")


class EditorFactory(UserFactory):
    is_staff = True

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def editors_group(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name="Editors"))


class DueClaimFactory(ClaimFactory):
    """A claim whose deadline has passed, waiting for a verdict."""

    deadline = datetime.date(2025, 12, 31)
    deadline_text = "by 2025"
    status = Status.DUE
    due_since = factory.LazyFunction(timezone.now)


class FlaggedDueClaimFactory(DueClaimFactory):
    """A due claim with the transition that made it due in its log, as the flagging job leaves
    it: the due episode that claims.jobs.notifications announces."""

    @factory.post_generation
    def flagged(claim, create, extracted, **kwargs):
        if create:
            Transition.objects.create(
                claim=claim,
                action=Transition.Action.FLAGGED_DUE,
                from_status=Status.OPEN,
                to_status=Status.DUE,
                via="flag_due_claims",
                at=claim.due_since,
            )

    class Meta:
        skip_postgeneration_save = True


class ResolvedClaimFactory(ClaimFactory):
    status = Status.RESOLVED
    verdict = Verdict.CORRECT
    verdict_summary = "The official figures bear it out."
    resolved_at = factory.LazyFunction(timezone.now)
