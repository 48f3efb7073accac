"""sitemap.xml: every public page a search engine should know about."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from claims.models import Claim
from registry.models import Article, Entity, Outlet


class PagesSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["home", "claims:list"]

    def location(self, name: str) -> str:
        return reverse(name)


class ClaimSitemap(Sitemap):
    def items(self):
        return Claim.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, claim: Claim):
        return claim.updated_at


class _SlugSitemap(Sitemap):
    model = None
    url_name = ""

    def items(self):
        return self.model.objects.only("slug").order_by("pk")

    def location(self, obj) -> str:
        return reverse(self.url_name, args=[obj.slug])


class ArticleSitemap(_SlugSitemap):
    model, url_name = Article, "registry:article"


class OutletSitemap(_SlugSitemap):
    model, url_name = Outlet, "registry:outlet"


class ClaimantSitemap(_SlugSitemap):
    model, url_name = Entity, "registry:claimant"


SITEMAPS = {
    "pages": PagesSitemap,
    "claims": ClaimSitemap,
    "articles": ArticleSitemap,
    "outlets": OutletSitemap,
    "claimants": ClaimantSitemap,
}
