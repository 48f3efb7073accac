from __future__ import annotations

from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("outlets/<slug:slug>/", views.outlet_detail, name="outlet"),
    path("claimants/<slug:slug>/", views.claimant_detail, name="claimant"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
]
