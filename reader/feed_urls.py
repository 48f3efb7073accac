"""Feeds and the deadline calendar: /feeds/<name>/, /outlets/<slug>/feeds/<name>/, /calendar.ics"""

from __future__ import annotations

from django.urls import path

from reader.calendar import deadline_calendar
from reader.feeds import FEEDS

app_name = "feeds"

urlpatterns = [path("calendar.ics", deadline_calendar, name="calendar")]
for name, feed in FEEDS.items():
    urlpatterns += [
        path(f"feeds/{name}/", feed, name=name),
        path(f"outlets/<slug:outlet_slug>/feeds/{name}/", feed, name=f"outlet-{name}"),
    ]
