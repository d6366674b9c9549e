"""The read-replica router (config/db_routers.py) with two aliases on one server.

`replica_1` is a second connection to the default test database (a test mirror, as settings
make every replica), so a query's alias shows where the router sent it. The tests that read
through the replica are transactional: rows committed on "default" are what its second
connection sees, as a real replica would once it has replayed them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Artifact, Category
from config.db_routers import ReadReplicaRouter, page_reads
from tests.catalog.factories import ArtifactFactory

BASE_DIR = Path(__file__).resolve().parents[1]
REPLICA = "replica_1"
BOTH = [DEFAULT_DB_ALIAS, REPLICA]


@pytest.fixture(autouse=True, scope="module")
def replica_alias(django_db_setup):
    """A `replica_1` alias on the default test database, unless settings already made one
    (DATABASE_REPLICA_URLS set): what setup_databases does for a TEST MIRROR."""
    if REPLICA in connections:
        yield
        return
    connections.settings[REPLICA] = {
        **connections[DEFAULT_DB_ALIAS].settings_dict,
        "TEST": {**connections[DEFAULT_DB_ALIAS].settings_dict["TEST"], "MIRROR": "default"},
    }
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = [ReadReplicaRouter(replicas=[REPLICA])]


class Queries:
    """The queries each alias ran inside the block."""

    def __enter__(self):
        self.default = CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]).__enter__()
        self.replica = CaptureQueriesContext(connections[REPLICA]).__enter__()
        return self

    def __exit__(self, *exc_info):
        self.replica.__exit__(*exc_info)
        self.default.__exit__(*exc_info)

    @staticmethod
    def sql(captured) -> list[str]:
        return [query["sql"] for query in captured.captured_queries]


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_page_is_read_from_the_replica(routed):
    ArtifactFactory(name="Whisper Large")

    with Queries() as queries:
        response = Client().get("/")

    assert response.status_code == 200
    assert "Whisper Large" in response.text  # read by the replica's connection
    assert any("catalog_artifact" in sql for sql in Queries.sql(queries.replica))
    assert Queries.sql(queries.default) == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_visitor_s_session_and_user_are_read_from_the_primary(routed):
    user = get_user_model().objects.create_user("visitor", "v@example.org", "pw-for-tests")
    client = Client()
    client.force_login(user)  # the session row, just written on the primary

    with page_reads(), Queries() as queries:
        session = SessionStore(
            session_key=client.cookies[django_settings.SESSION_COOKIE_NAME].value
        )
        signed_in = get_user_model().objects.get(pk=session[SESSION_KEY])
        Artifact.objects.count()

    assert signed_in == user
    on_primary = Queries.sql(queries.default)
    assert len(on_primary) == 2
    assert "django_session" in on_primary[0] and "auth_user" in on_primary[1]
    assert len(queries.replica.captured_queries) == 1  # the catalog read


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_admin_reads_from_the_primary(routed):
    user = get_user_model().objects.create_superuser("curator", "c@example.org", "pw-for-tests")
    client = Client()
    client.force_login(user)

    with Queries() as queries:
        response = client.get(reverse("admin:catalog_artifact_changelist"))

    assert response.status_code == 200
    assert any("catalog_artifact" in sql for sql in Queries.sql(queries.default))
    assert Queries.sql(queries.replica) == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_vote_reads_and_writes_on_the_primary(routed):
    ArtifactFactory(name="Whisper Large", slug="whisper-large")

    with Queries() as queries:
        response = Client().post(
            reverse("matchgraph:fits", args=["whisper-large"]), {"q": "speech recognition"}
        )

    assert response.status_code == 302
    assert any("catalog_artifact" in sql for sql in Queries.sql(queries.default))
    assert Queries.sql(queries.replica) == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_save_goes_to_the_primary_and_may_join_objects_from_the_replica(routed):
    pk = ArtifactFactory(name="Whisper Large").pk

    with page_reads(), Queries() as queries:
        artifact = Artifact.objects.get(pk=pk)
        assert artifact._state.db == REPLICA
        artifact.summary = "Transcribes speech in 99 languages."
        artifact.save()
        # A relation between an object read from the replica and one written to the primary.
        artifact.categories.add(Category.objects.create(name="Speech", slug="speech"))

    on_primary = Queries.sql(queries.default)
    assert any(sql.startswith('UPDATE "catalog_artifact"') for sql in on_primary)
    assert any(sql.startswith('INSERT INTO "catalog_artifact_categories"') for sql in on_primary)
    on_replica = Queries.sql(queries.replica)
    assert 'FROM "catalog_artifact" WHERE' in on_replica[0]
    assert all(sql.startswith("SELECT") for sql in on_replica)
    stored = Artifact.objects.using(DEFAULT_DB_ALIAS).get(pk=pk)
    assert stored.summary == "Transcribes speech in 99 languages."
    assert list(stored.categories.values_list("slug", flat=True)) == ["speech"]


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_reads_inside_a_transaction_stay_on_the_primary(routed):
    ArtifactFactory()

    with page_reads():
        with Queries() as outside:
            assert Artifact.objects.count() == 1
        with Queries() as inside, transaction.atomic():
            assert Artifact.objects.count() == 1

    assert len(outside.replica.captured_queries) == 1
    assert len(inside.replica.captured_queries) == 0
    assert any("COUNT(*)" in sql for sql in Queries.sql(inside.default))


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_reads_outside_a_request_stay_on_the_primary(routed):
    """Celery tasks, management commands and the shell: jobs read where they write."""
    ArtifactFactory()

    with Queries() as queries:
        assert Artifact.objects.count() == 1

    assert len(queries.default.captured_queries) == 1
    assert queries.replica.captured_queries == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_without_replicas_a_page_is_read_from_the_primary(settings):
    settings.DATABASE_ROUTERS = []  # what settings install when no replica is configured
    ArtifactFactory(name="Whisper Large")

    with Queries() as queries:
        response = Client().get("/")

    assert "Whisper Large" in response.text
    assert any("catalog_artifact" in sql for sql in Queries.sql(queries.default))
    assert queries.replica.captured_queries == []


def test_a_router_without_replicas_reads_from_the_primary():
    with page_reads():
        assert ReadReplicaRouter(replicas=[]).db_for_read(Artifact) == DEFAULT_DB_ALIAS


def test_one_request_reads_from_one_replica_and_requests_spread_over_all():
    replicas = ReadReplicaRouter(replicas=["replica_1", "replica_2"])
    chosen = []
    for _ in range(64):
        with page_reads():
            per_request = {replicas.db_for_read(model) for model in (Artifact, Category) * 5}
        assert len(per_request) == 1
        chosen.append(per_request.pop())
    assert set(chosen) == {"replica_1", "replica_2"}
    assert replicas.db_for_write(Artifact) == DEFAULT_DB_ALIAS


def test_migrations_run_only_on_the_primary(routed):
    assert router.allow_migrate_model(DEFAULT_DB_ALIAS, Artifact)
    assert not router.allow_migrate_model(REPLICA, Artifact)
    assert not router.allow_migrate(REPLICA, "sessions")


def test_relations_are_allowed_between_the_primary_and_replicas_only():
    replicas = ReadReplicaRouter(replicas=[REPLICA])
    on_primary, on_replica, elsewhere = Artifact(), Artifact(), Artifact()
    on_primary._state.db, on_replica._state.db, elsewhere._state.db = "default", REPLICA, "other"
    assert replicas.allow_relation(on_primary, on_replica) is True
    assert replicas.allow_relation(on_replica, elsewhere) is None


# Settings, read in a fresh interpreter with a given environment ------------------------------

SHOW_DATABASES = """
import json
from config import settings
print(json.dumps({
    "databases": {
        alias: {"name": db["NAME"], "options": db["OPTIONS"].get("options"), "test": db.get("TEST")}
        for alias, db in settings.DATABASES.items()
    },
    "routers": [
        [type(r).__name__, list(getattr(r, "replicas", []))] for r in settings.DATABASE_ROUTERS
    ],
}))
"""
PLANNER_OPTIONS = "-c max_parallel_workers_per_gather=0 -c jit=off -c hnsw.ef_search=100"


def settings_with(**variables) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_REPLICA_URLS", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/unfragile_primary",
        DJANGO_SECRET_KEY="x" * 60,
        **variables,
    )
    shown = subprocess.run(
        [sys.executable, "-c", SHOW_DATABASES],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(shown.stdout)


def test_settings_without_replicas_keep_one_database_and_no_router():
    shown = settings_with()
    assert list(shown["databases"]) == ["default"]
    assert shown["databases"]["default"]["options"] == PLANNER_OPTIONS
    assert shown["routers"] == []


def test_settings_with_replicas_add_an_alias_each_with_the_same_options_and_the_router():
    shown = settings_with(
        DATABASE_REPLICA_URLS=(
            "postgres://reader@10.0.0.2:5432/unfragile?options=-c%20statement_timeout%3D5000,"
            " postgres://reader@10.0.0.3:5432/unfragile"
        )
    )
    databases = shown["databases"]
    assert list(databases) == ["default", "replica_1", "replica_2"]
    assert databases["default"]["options"] == PLANNER_OPTIONS
    assert databases["replica_1"] == {
        "name": "unfragile",
        "options": f"-c statement_timeout=5000 {PLANNER_OPTIONS}",
        "test": {"MIRROR": "default"},
    }
    assert databases["replica_2"]["options"] == PLANNER_OPTIONS
    assert databases["replica_2"]["test"] == {"MIRROR": "default"}
    assert shown["routers"] == [["ReadReplicaRouter", ["replica_1", "replica_2"]]]
