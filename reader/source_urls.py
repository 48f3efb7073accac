from __future__ import annotations

from django.urls import path

from reader import source_views

app_name = "registry"

urlpatterns = [
    path("articles/<slug:slug>/", source_views.article_detail, name="article"),
    path("outlets/<slug:slug>/", source_views.outlet_detail, name="outlet"),
    path("claimants/<slug:slug>/", source_views.claimant_detail, name="claimant"),
    path("topics/<slug:slug>/", source_views.topic_detail, name="topic"),
]
