"""Who said it, and where: outlets, their articles, and the entities and topics claims concern."""

from __future__ import annotations

from django.db import models

from registry.precision import Precision
from registry.validators import validate_no_bidi_controls


class Outlet(models.Model):
    """A publisher: a newspaper, think tank, newsletter or government site."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200, validators=[validate_no_bidi_controls])
    url = models.URLField(blank=True)
    # db_default: code on an older migration state (a data migration, its test) that inserts
    # outlets without a note still can.
    note = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="For editors, never shown as the name: where the name comes from, what the "
        "articles leave unsaid about the outlet.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TextSource(models.TextChoices):
    """Where an article's kept text came from."""

    PASTED = "pasted", "Pasted by an editor"
    HTML_FILE = "html", "An uploaded HTML page"
    FILE = "file", "A text file"
    URL = "url", "Fetched from its address"


class Article(models.Model):
    """A source document. Its publication date is often known only to the month, or not at all
    to the year; `date_note` says what the text gives and why the stored date was chosen."""

    PUBLICATION_PRECISIONS = [
        (p.value, p.label) for p in (Precision.DAY, Precision.MONTH, Precision.YEAR)
    ]

    slug = models.SlugField(max_length=120, unique=True)
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=300, validators=[validate_no_bidi_controls])
    authors = models.CharField(max_length=300, blank=True, help_text="As the article names them.")
    url = models.URLField(blank=True)
    published_on = models.DateField(
        help_text="The first day of the period when only the month or year is known."
    )
    published_precision = models.CharField(
        max_length=8, choices=PUBLICATION_PRECISIONS, default=Precision.DAY
    )
    date_note = models.TextField(
        blank=True, help_text="What the article says of its date, and why this reading."
    )
    source_file = models.CharField(max_length=200, blank=True)
    # The article's own text, kept so that every claim's quote can be checked against it
    # (claims.quotes), and where that text came from.
    # Database defaults: rows written by code that predates these fields (an older migration's
    # state, a data migration) get empty values rather than a NOT NULL failure.
    source_text = models.TextField(
        blank=True,
        db_default="",
        help_text="The article's text; claims' quotes must be verbatim parts of it.",
    )
    source_kind = models.CharField(
        "text from", max_length=8, choices=TextSource.choices, blank=True, db_default=""
    )
    source_name = models.CharField(
        "text source name",
        max_length=300,
        blank=True,
        db_default="",
        help_text="The uploaded file's name, the seed file or the address the text came from.",
    )

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published_precision__in=["day", "month", "year"]),
                name="article_published_precision_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Entity(models.Model):
    """A company, agency, fund, research firm or person a claim is made by or is about."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "Government body"
        AGENCY = "agency", "Agency or regulator"
        COMPANY = "company", "Company"
        FUND = "fund", "Fund"
        RESEARCH = "research", "Research firm or think tank"
        PERSON = "person", "Person"
        OTHER = "other", "Other"

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200, validators=[validate_no_bidi_controls])
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=100, validators=[validate_no_bidi_controls])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
