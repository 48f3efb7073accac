"""The editors' side of intake: articles stored with their text, proposals stored as rows,
and accepted proposals made claims through the lifecycle.

`read_article` and `propose_claims` do the reading, for the admin, the API and the command
alike; this module is what only the admin adds: storing what was read, remembering decisions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from claims import lifecycle
from claims.choices import ClaimantType, HedgeClass
from claims.deadlines import HorizonError, parse_horizon
from claims.intake.proposals import IntakeResult, _normalized_quote, propose_claims
from claims.intake.reading import read_article
from claims.models import Claim, Proposal
from claims.slugs import unused_claim_slug, unused_slug
from registry.models import Article, Entity, Outlet
from registry.precision import Precision

VIA = "intake"


def unique_slug(model, text: str, *, max_length: int = 100) -> str:
    return unused_slug(model.objects.all(), slugify(text), max_length=max_length)


def outlet_named(name: str) -> Outlet:
    """The outlet of that name, created when the registry does not know it yet."""
    name = name.strip()
    outlet = Outlet.objects.filter(name__iexact=name).first()
    if outlet is None:
        outlet = Outlet(name=name, slug=unique_slug(Outlet, name, max_length=80))
        outlet.full_clean()
        outlet.save()
    return outlet


@transaction.atomic
def store_article(
    *,
    text: str,
    title: str,
    outlet: Outlet,
    published_on: datetime.date,
    published_precision: str,
    source_kind: str,
    source_name: str = "",
    url: str = "",
    date_note: str = "",
) -> Article:
    """Store an article read by intake, with its text. Raises ValidationError, storing nothing."""
    article = Article(
        slug=unique_slug(Article, title, max_length=120),
        outlet=outlet,
        title=title.strip(),
        url=url,
        published_on=published_on,
        published_precision=published_precision,
        date_note=date_note,
        source_text=text,
        source_kind=source_kind,
        source_name=source_name[:300],
    )
    article.full_clean()
    article.save()
    return article


def read_stored(article: Article) -> IntakeResult:
    """Propose the claims of a stored article from its kept text and its stored date; quotes
    already recorded as claims are marked."""
    read = read_article(
        article.source_text,
        published_on=article.published_on,
        published_precision=Precision(article.published_precision),
        title=article.title,
        outlet=article.outlet.name,
        today=max(timezone.localdate(), article.published_on),
    )
    existing = list(article.claims.values_list("quote", flat=True))
    return propose_claims(read, existing_quotes=existing)


@transaction.atomic
def refresh_proposals(article: Article) -> tuple[list[Proposal], list[str]]:
    """Store as rows the proposals not yet recorded, accepted, rejected or waiting: a re-run
    adds only what is new and leaves what an editor typed on waiting rows alone. Returns the
    rows added and the intake's notes."""
    if not article.source_text.strip():
        return [], ["This article has no text kept, so no claims can be proposed from it."]
    result = read_stored(article)
    known = {_normalized_quote(q) for q in article.proposals.values_list("quote", flat=True)}
    position = article.proposals.count()
    added: list[Proposal] = []
    for proposal in result.new_proposals:
        key = _normalized_quote(proposal.quote)
        if key in known:
            continue
        known.add(key)
        position += 1
        added.append(
            Proposal(
                article=article,
                position=position,
                start=proposal.start,
                end=proposal.end,
                quote=proposal.quote,
                statement=proposal.statement,
                kind=proposal.kind,
                claimant=proposal.claimant,
                deadline_text=proposal.deadline_text,
                deadline=proposal.deadline,
                deadline_precision=proposal.deadline_precision,
                hedge=proposal.hedge,
                hedge_class=proposal.hedge_class,
            )
        )
    Proposal.objects.bulk_create(added)
    notes = list(result.notes)
    if result.proposals and not added:
        notes.append("Nothing new to propose: every claim found is recorded, waiting or rejected.")
    return added, notes


def deadline_for(
    proposal: Proposal, words: str, article: Article
) -> tuple[datetime.date | None, str]:
    """The deadline horizon words give, read as the intake reads them: the proposal's own when
    the words are the ones it found (its reading may use the list's horizon), else parsed from
    the article's publication date. Raises HorizonError for words it cannot read."""
    words = words.strip()
    if words == proposal.deadline_text.strip() and (proposal.deadline or not words):
        return proposal.deadline, proposal.deadline_precision
    if not words:
        return None, ""
    deadline = parse_horizon(
        words,
        published_on=article.published_on,
        published_precision=Precision(article.published_precision),
    )
    return deadline.date, deadline.precision


def _claimant_entity(name: str) -> Entity | None:
    name = name.strip()
    if not name:
        return None
    entity = Entity.objects.filter(name__iexact=name).first()
    if entity is None:
        entity = Entity(name=name[:200], slug=unique_slug(Entity, name, max_length=120))
        entity.full_clean()
        entity.save()
    return entity


class AcceptError(ValidationError):
    """Some selected proposals cannot become claims: ``errors`` maps each one's id to why."""

    def __init__(self, errors: dict[int, list[str]]) -> None:
        self.errors = errors
        super().__init__([m for messages in errors.values() for m in messages])


def accept(proposals: Iterable[Proposal], *, by) -> list[Claim]:
    """Make claims of the proposals, as they now stand, through the lifecycle (logged as
    ``via="intake"``, by the editor who accepted them). All or nothing: when one cannot be
    made, none is, and AcceptError says why for each."""
    errors: dict[int, list[str]] = {}
    claims: list[Claim] = []
    with transaction.atomic():
        for proposal in proposals:
            try:
                with transaction.atomic():
                    claims.append(_accept_one(proposal, by=by))
            except HorizonError as error:
                errors[proposal.pk] = [str(error)]
            except ValidationError as error:
                errors[proposal.pk] = [
                    f"{name}: {' '.join(texts)}" if name != "__all__" else " ".join(texts)
                    for name, texts in error.message_dict.items()
                ]
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise AcceptError(errors)
    return claims


def _accept_one(proposal: Proposal, *, by) -> Claim:
    article = proposal.article
    deadline, precision = deadline_for(proposal, proposal.deadline_text, article)
    claimant = _claimant_entity(proposal.claimant)
    statement = proposal.statement.strip() or proposal.quote
    claim = Claim(
        slug=unused_claim_slug(statement),
        article=article,
        claimant_type=ClaimantType.REPORTED if claimant else ClaimantType.OUTLET,
        claimant=claimant,
        statement=statement,
        quote=proposal.quote,
        kind=proposal.kind,
        made_on=article.published_on,
        deadline=deadline,
        deadline_text=proposal.deadline_text.strip(),
        deadline_precision=precision if deadline else "",
        # The article's own hedge ("will", "could"): the track records' hit rate per class.
        hedge=proposal.hedge[:40],
        hedge_class=proposal.hedge_class if proposal.hedge_class in HedgeClass.values else "",
    )
    lifecycle.create_claim(claim=claim, by=by, via=VIA)
    Proposal.objects.filter(pk=proposal.pk).update(
        state=Proposal.State.ACCEPTED, claim=claim, decided_by=by, decided_at=timezone.now()
    )
    proposal.state, proposal.claim = Proposal.State.ACCEPTED, claim
    return claim


def reject(proposals: Iterable[Proposal], *, by) -> int:
    """Remember the proposals as rejected: a re-run does not propose them again."""
    ids = [p.pk for p in proposals]
    return Proposal.objects.filter(pk__in=ids, state=Proposal.State.PENDING).update(
        state=Proposal.State.REJECTED, decided_by=by, decided_at=timezone.now()
    )
