"""Test clients shared by test modules."""

from django.test import Client, TestCase


class CommittingClient(Client):
    """A test client whose requests run their on-commit callbacks as they return. Views
    queue match-graph events after commit; a test holds everything in one transaction that
    is rolled back, so without this they would never run (in production a request commits)."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


def shown_token(client: Client, query: str, slug: str, **request_meta) -> str:
    """The impression token the search page gave this client for `slug` under `query`."""
    import re

    from django.urls import reverse

    html = client.get(reverse("matchgraph:search"), {"q": query}, **request_meta).content.decode()
    found = re.search(
        rf'href="/search/open/{re.escape(slug)}/\?[^"]*"[^>]*data-token="([^"]+)"', html
    )
    assert found, f"{slug} was not shown for {query!r}"
    return found.group(1)
