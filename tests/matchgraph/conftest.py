"""Match-graph tests start from a known synonym table: empty.

The seeded groups (migration 0004) exist on a fresh test database but not after a browser
test has flushed it, so tests that want synonyms create or re-seed them themselves
(see test_synonyms.py)."""

import pytest
from django.test import Client, TestCase

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


class CommittingClient(Client):
    """A test client whose requests run their on-commit callbacks as they return. Views
    queue match-graph events after commit; a test holds everything in one transaction that
    is rolled back, so without this they would never run (in production a request commits)."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client():
    return CommittingClient()
