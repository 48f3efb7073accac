"""The OpenAPI schema and its docs, and the API fuzzed against its own schema with schemathesis:
whatever a client sends, no server error, and every answer is one the schema describes."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import schemathesis
import yaml
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle
from schemathesis import GenerationMode
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

from api.base import ConditionalMixin
from claims.models import Claim, ClaimantType, Evidence, Status
from registry.models import Article, Entity, Outlet, Topic
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EditorFactory,
    EntityFactory,
    EvidenceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

# Requests per operation, generation mode (valid, invalid) and client: 18 operations × 2 × 2 ×
# 10 = 720 requests, in process, in about 30 seconds on two cores; the coverage phase adds
# about 1,300 and the stateful phase STATEFUL_SCENARIOS chains.
FUZZ_EXAMPLES = 10
# The stateful phase: this many chains of calls, each of at most this many calls.
STATEFUL_SCENARIOS = 30
STATEFUL_STEPS = 6


def test_it_serves_the_openapi_schema_with_every_endpoint(api):
    response = api.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/claims/",
        "/api/v1/claims/{id}/",
        "/api/v1/claims/{id}/resolve/",
        "/api/v1/claims/{id}/reopen/",
        "/api/v1/evidence/",
        "/api/v1/evidence/{id}/",
        "/api/v1/articles/",
        "/api/v1/articles/{id}/",
        "/api/v1/outlets/",
        "/api/v1/outlets/{id}/",
    } <= set(schema["paths"])
    claim_filters = {p["name"] for p in schema["paths"]["/api/v1/claims/"]["get"]["parameters"]}
    assert {
        "status",
        "kind",
        "verdict",
        "article",
        "outlet",
        "deadline_before",
        "deadline_after",
        "search",
        "ordering",
        "page",
        "page_size",
    } <= claim_filters
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"


def test_it_serves_the_docs_from_its_own_static_files(api):
    response = api.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]*)"', html)
    # Our own files only: the sidecar's Swagger UI, our stylesheet, and the split view's
    # start-up script (a file, so that the Content-Security-Policy allows it).
    assert "/api/docs/?script=" in assets
    assert assets and all(
        a.startswith(("/static/", "/api/docs/?script=")) and not a.startswith("//") for a in assets
    )
    assert "http://" not in html and "https://" not in html
    script = api.get("/api/docs/?script=").content.decode()
    assert '"validatorUrl": null' in script  # the schema is not sent to validator.swagger.io
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_it_serves_no_redoc_page_which_would_load_other_sites_files(api):
    response = api.get("/api/redoc/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_it_describes_each_operation_for_clients_not_with_a_mixins_docstring(api):
    schema = yaml.safe_load(api.get("/api/schema/").content)
    internal = ConditionalMixin.__doc__.split("\n")[0]

    descriptions = {
        f"{method.upper()} {path}": operation.get("description", "")
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }

    assert all(descriptions.values()), [op for op, text in descriptions.items() if not text]
    assert not [op for op, text in descriptions.items() if internal in text]
    assert "Outlets" in descriptions["GET /api/v1/outlets/{id}/"]


# --- Fuzzing ---------------------------------------------------------------------------------
#
# Driven through schemathesis's strategies and Hypothesis directly rather than its pytest plugin
# (`schemathesis.pytest.from_fixture`), whose lazy loader reaches into pytest internals that
# pytest 9 no longer has.


@pytest.fixture
def seeded_ids(db) -> dict[str, list[int]]:
    """A small registry, so that generated requests for /…/{id}/ often hit a real row."""
    for n in range(4):
        reported = n % 2 == 1
        claim = ClaimFactory(
            article=ArticleFactory(),
            claimant_type=ClaimantType.REPORTED if reported else ClaimantType.OUTLET,
            claimant=EntityFactory() if reported else None,
            status=Status.DUE if n == 3 else Status.OPEN,
            due_since="2026-01-01T00:00Z" if n == 3 else None,
        )
        claim.topics.add(TopicFactory())
        EvidenceFactory(claim=claim)
    models = {
        "claims": Claim,
        "evidence": Evidence,
        "articles": Article,
        "outlets": Outlet,
        "entities": Entity,
        "topics": Topic,
    }
    return {
        name: list(model.objects.values_list("pk", flat=True)) for name, model in models.items()
    }


@pytest.fixture
def same_connection_across_requests():
    # A real WSGI handler closes the database connection after each request, and with it the
    # test's transaction (on PostgreSQL); Django's own test client disconnects the same signals.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_schema(seeded_ids, same_connection_across_requests, monkeypatch):
    # The fuzzer sends hundreds of anonymous requests: the throttle is tested elsewhere.
    monkeypatch.setattr(AnonRateThrottle, "allow_request", lambda self, request, view: True)
    # A fresh WSGI handler, so that its middleware reads the test settings (plain http).
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        # /api/v1/<resource>/{id}/…: mostly a seeded id, sometimes whatever was generated.
        ids = seeded_ids.get(context.operation.path.split("/")[3])
        if not ids or "id" not in (path_parameters or {}):
            return st.just(path_parameters)
        chosen = st.sampled_from(ids) | st.just(path_parameters["id"])
        return chosen.map(lambda pk: {**path_parameters, "id": pk})

    @schema.hook
    def map_body(context, body):
        # Point references at seeded rows, so that some generated writes get past "no such id".
        if isinstance(body, dict):
            for field, resource in REFERENCES.items():
                if isinstance(body.get(field), int):
                    body[field] = seeded_ids[resource][body[field] % len(seeded_ids[resource])]
        return body

    return schema


REFERENCES = {"article": "articles", "claim": "claims", "claimant": "entities"}


def fuzz(schema, headers: dict[str, str] | None = None) -> Counter:
    """Send FUZZ_EXAMPLES valid and as many invalid requests to each operation; fail with every
    operation whose answers break a check. Returns how many answers had each status code."""
    statuses: Counter = Counter()
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @FUZZ_SETTINGS
            @given(case=operation.as_strategy(generation_mode=mode))
            def send(case):
                response = case.call_and_validate(headers=headers, excluded_checks=NOT_APPLICABLE)
                statuses[response.status_code] += 1

            try:
                send()
            # Schemathesis reports with a BaseExceptionGroup; go on, to report every operation.
            except (Exception, BaseExceptionGroup) as failure:
                failures.append(f"{operation.label} ({mode.value}): {failure}")
    assert not failures, "\n\n".join(failures)
    return statuses


def fuzz_coverage(schema, headers: dict[str, str]) -> Counter:
    """Schemathesis's coverage phase, as `st run --phases coverage` runs it: for each operation,
    the requests at and just past every boundary the schema states (each enum value, minimum and
    maximum, missing and extra parameters, wrong types, NUL characters, non-ASCII in paths…),
    valid and invalid. Fails with every operation whose answers break a check."""
    statuses: Counter = Counter()
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        generation = schema.config.generation_for(operation=operation, phase="coverage")
        cases = CoverageGenerator(
            operation=operation,
            generation_modes=generation.modes,
            generation_config=generation,
            auth_storage=None,
            override=Override(),
            feedback=FeedbackSources(),
        )
        for case in cases:
            try:
                response = case.call_and_validate(headers=headers, excluded_checks=NOT_APPLICABLE)
                statuses[response.status_code] += 1
            except (Exception, BaseExceptionGroup) as failure:
                failures.setdefault(operation.label, f"{operation.label} (coverage): {failure}")
    assert not failures, "\n\n".join(failures.values())
    return statuses


FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run, so that a failure is reproducible
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.generate],  # no shrinking: the failure report already shows the request
)
NOT_APPLICABLE = [
    # Schema-valid input can still break a rule the schema cannot state (an unknown article id, a
    # deadline before made_on, words that are not a horizon): those are 400s, and rightly so.
    positive_data_acceptance,
    # An empty query value (`?status=`, `?page=`) means "not given", as HTML forms send it; and a
    # stale If-Match is refused with 412, which this check does not count as a refusal. Invalid
    # input still meets every other check: no server error, and a documented answer.
    negative_data_rejection,
]


def test_it_answers_anonymous_clients_as_its_schema_says(api_schema):
    statuses = fuzz(api_schema)

    assert statuses[200] and statuses[401] and statuses[404]


def test_it_answers_an_editor_as_its_schema_says(api_schema):
    token = Token.objects.create(user=EditorFactory(username="fuzzing-editor")).key

    statuses = fuzz(api_schema, headers={"Authorization": f"Token {token}"})

    assert statuses[200] and statuses[201] and statuses[400]


def test_it_answers_the_coverage_phases_boundary_requests_as_its_schema_says(api_schema):
    token = Token.objects.create(user=EditorFactory(username="fuzzing-editor")).key

    statuses = fuzz_coverage(api_schema, headers={"Authorization": f"Token {token}"})

    assert statuses[200] and statuses[400] and statuses[404]


def test_it_answers_sequences_of_calls_as_its_schema_says(api_schema):
    # Schemathesis's stateful phase: chains of calls that follow the links it infers from the
    # schema (create a claim, then read, change, resolve it…), checked as the other runs are.
    token = Token.objects.create(user=EditorFactory(username="fuzzing-editor")).key
    statuses: Counter = Counter()

    class Workflow(api_schema.as_state_machine()):
        # Each chain starts from the same registry (Hypothesis replays chains, and a chain that
        # found the claims another one created would draw differently).
        def setup(self):
            self.savepoint = transaction.atomic()
            self.savepoint.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.savepoint.__exit__(None, None, None)

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Token {token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            statuses[response.status_code] += 1
            # The token is sent on every call, so the check that generated credentials are
            # refused does not apply here (the anonymous runs above hold the API to it).
            case.validate_response(response, excluded_checks=[*NOT_APPLICABLE, ignored_auth])

    Workflow.run(settings=STATEFUL_SETTINGS)

    assert statuses[200] and statuses[201]


STATEFUL_SETTINGS = settings(
    FUZZ_SETTINGS, max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS
)
