"""Match-graph tests start from a known synonym table: empty.

The seeded groups (migration 0004) exist on a fresh test database but not after a browser
test has flushed it, so tests that want synonyms create or re-seed them themselves
(see test_synonyms.py)."""

import pytest

from tests.clients import CommittingClient

DATABASE_FIXTURES = {"db", "transactional_db", "live_server"}


@pytest.fixture(autouse=True)
def _no_synonyms(request):
    uses_database = request.node.get_closest_marker("django_db") or (
        DATABASE_FIXTURES & set(request.fixturenames)
    )
    if uses_database:
        from matchgraph.models import SynonymGroup

        request.getfixturevalue("db")
        SynonymGroup.objects.all().delete()
    yield


@pytest.fixture
def client():
    return CommittingClient()
