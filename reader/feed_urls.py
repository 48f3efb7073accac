"""Feeds and deadline calendars: site-wide (/feeds/<name>/, /calendar.ics), per outlet
(/outlets/<slug>/…), per claimant (/claimants/<slug>/…) and per claim (/claims/<slug>/feed/,
/claims/<slug>/calendar.ics)."""

from __future__ import annotations

from django.urls import path

from reader.calendar import claim_calendar, claimant_calendar, deadline_calendar, outlet_calendar
from reader.feeds import FEEDS, ClaimFeed

app_name = "feeds"

urlpatterns = [
    path("calendar.ics", deadline_calendar, name="calendar"),
    path("outlets/<slug:slug>/calendar.ics", outlet_calendar, name="outlet-calendar"),
    path("claimants/<slug:slug>/calendar.ics", claimant_calendar, name="claimant-calendar"),
    path("claims/<slug:slug>/calendar.ics", claim_calendar, name="claim-calendar"),
    path("claims/<slug:claim_slug>/feed/", ClaimFeed(), name="claim"),
]
for name, feed in FEEDS.items():
    urlpatterns += [
        path(f"feeds/{name}/", feed, name=name),
        path(f"outlets/<slug:outlet_slug>/feeds/{name}/", feed, name=f"outlet-{name}"),
        path(f"claimants/<slug:claimant_slug>/feeds/{name}/", feed, name=f"claimant-{name}"),
    ]
