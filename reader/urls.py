from __future__ import annotations

from django.urls import path

from reader import views

app_name = "claims"

urlpatterns = [
    path("", views.claim_list, name="list"),
    path("<slug:slug>/", views.claim_detail, name="detail"),
]
