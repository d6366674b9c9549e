"""Template hygiene that no page test would notice until a visitor does."""

from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def template_files() -> list[Path]:
    return sorted(
        path
        for folder in ("templates", "ranking/templates")
        for path in (ROOT / folder).rglob("*.html")
    )


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_comments_written_with_hash_braces_close_on_their_line(path):
    """Django's `{# #}` comment is one line only: one left open is printed on the page."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        for opened in line.split("{#")[1:]:
            assert "#}" in opened, f"{path.name}:{number} opens {{# without closing it"
