"""Test clients shared by test modules."""

from django.test import Client, TestCase


class CommittingClient(Client):
    """A test client whose requests run their on-commit callbacks as they return. Views
    queue match-graph events after commit; a test holds everything in one transaction that
    is rolled back, so without this they would never run (in production a request commits)."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)
