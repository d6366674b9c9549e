"""Curators' admin: every catalog table opens, bulk actions work, JSONL uploads import."""

import io
import json

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalog.admin import FORMAT_DOC
from catalog.importing import artifacts_import
from catalog.models import Artifact
from tests.catalog.factories import ArtifactFactory, CapabilityFactory, CategoryFactory

pytestmark = pytest.mark.django_db

# The contract the admin's copy of the format follows (import-format.md in ../shared).
SHARED_FORMAT = settings.BASE_DIR.parent / "shared" / "import-format.md"


@pytest.fixture
def curator_client(client):
    user = get_user_model().objects.create_superuser("curator", "c@example.org", "pw-for-tests")
    client.force_login(user)
    return client


def jsonl(*records) -> bytes:
    return "\n".join(json.dumps(record) for record in records).encode()


@pytest.mark.parametrize(
    "model", ["artifact", "category", "capability", "pricingplan", "datasource", "artifactlink"]
)
def test_every_catalog_changelist_opens(curator_client, model):
    CapabilityFactory()
    response = curator_client.get(reverse(f"admin:catalog_{model}_changelist"))
    assert response.status_code == 200


def test_artifact_change_form_opens_with_inlines(curator_client):
    capability = CapabilityFactory()
    response = curator_client.get(
        reverse("admin:catalog_artifact_change", args=[capability.artifact_id])
    )
    assert response.status_code == 200
    assert capability.title in response.content.decode()


def test_mark_reviewed_action(curator_client):
    first, second = ArtifactFactory(), ArtifactFactory()
    curator_client.post(
        reverse("admin:catalog_artifact_changelist"),
        {"action": "mark_reviewed", "_selected_action": [first.pk]},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.reviewed_at is not None
    assert second.reviewed_at is None


def test_assign_category_action_asks_then_applies(curator_client):
    artifact = ArtifactFactory(categories=[CategoryFactory(name="Old", slug="old")])
    new = CategoryFactory(name="New", slug="new")
    url = reverse("admin:catalog_artifact_changelist")
    form_page = curator_client.post(
        url, {"action": "assign_category", "_selected_action": [artifact.pk]}
    )
    assert "Set a category" in form_page.content.decode()
    curator_client.post(
        url,
        {
            "action": "assign_category",
            "_selected_action": [artifact.pk],
            "category": new.pk,
            "replace": "on",
            "apply": "Apply",
        },
    )
    assert list(artifact.categories.values_list("slug", flat=True)) == ["new"]


def test_admin_import_uploads_a_jsonl_file(curator_client):
    upload = SimpleUploadedFile(
        "artifacts.jsonl",
        jsonl({"slug": "piper", "name": "Piper", "kind": "tool", "summary": "Fast local TTS."}),
    )
    response = curator_client.post(
        reverse("admin:catalog_artifact_import"), {"file": upload}, follow=True
    )
    assert response.status_code == 200
    assert Artifact.objects.filter(slug="piper").exists()


def test_admin_import_reports_errors_and_writes_nothing(curator_client):
    upload = SimpleUploadedFile(
        "artifacts.jsonl",
        jsonl(
            {"slug": "good-one", "name": "Good", "kind": "tool", "summary": "Fine."},
            {"slug": "bad-one", "name": "Bad", "kind": "spaceship", "summary": "Bad kind."},
        ),
    )
    response = curator_client.post(reverse("admin:catalog_artifact_import"), {"file": upload})
    html = response.content.decode()
    assert "LINE 2: kind:" in html
    assert "nothing was written" in html
    assert not Artifact.objects.exists()


def test_admin_import_rejects_non_utf8(curator_client):
    upload = SimpleUploadedFile("artifacts.jsonl", b'{"name": "\xff"}')
    response = curator_client.post(reverse("admin:catalog_artifact_import"), {"file": upload})
    assert response.status_code == 200
    assert "not valid UTF-8" in response.content.decode()


def test_admin_import_needs_staff(client):
    response = client.get(reverse("admin:catalog_artifact_import"))
    assert response.status_code == 302


def test_admin_import_dry_run_shows_what_would_change_and_writes_nothing(curator_client):
    ArtifactFactory(slug="whisper", name="Whisper")
    before = Artifact.objects.count()
    upload = SimpleUploadedFile(
        "artifacts.jsonl",
        jsonl(
            {"slug": "piper", "name": "Piper", "kind": "tool", "summary": "Fast local TTS."},
            {"slug": "whisper", "name": "Whisper", "kind": "model", "summary": "Transcribes."},
        ),
    )
    response = curator_client.post(
        reverse("admin:catalog_artifact_import"), {"file": upload, "dry_run": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dry run: what would change" in html
    assert "nothing was written" in html
    assert "Would be created" in html and "<code>piper</code>" in html
    assert "Would be updated" in html and "<code>whisper</code>" in html
    assert Artifact.objects.count() == before
    assert not Artifact.objects.filter(slug="piper").exists()
    assert Artifact.objects.get(slug="whisper").summary != "Transcribes."


def test_admin_import_dry_run_lists_errors(curator_client):
    upload = SimpleUploadedFile(
        "artifacts.jsonl",
        jsonl({"slug": "bad-one", "name": "Bad", "kind": "spaceship", "summary": "Bad kind."}),
    )
    response = curator_client.post(
        reverse("admin:catalog_artifact_import"), {"file": upload, "dry_run": "on"}
    )
    html = response.content.decode()
    assert "LINE 1: kind:" in html
    assert "nothing would be written" in html
    assert not Artifact.objects.exists()


def test_admin_import_page_links_the_format_and_a_sample_and_keeps_csrf(curator_client):
    html = curator_client.get(reverse("admin:catalog_artifact_import")).content.decode()
    assert reverse("admin:catalog_artifact_import_format") in html
    assert reverse("admin:catalog_artifact_import_sample") in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="dry_run"' in html


def test_admin_import_refuses_a_post_without_csrf_token(client):
    user = get_user_model().objects.create_superuser("curator", "c@example.org", "pw-for-tests")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    upload = SimpleUploadedFile("artifacts.jsonl", jsonl({"name": "Piper"}))
    response = strict.post(reverse("admin:catalog_artifact_import"), {"file": upload})
    assert response.status_code == 403


def test_the_sample_file_downloads_and_imports_cleanly(curator_client):
    response = curator_client.get(reverse("admin:catalog_artifact_import_sample"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()

    report = artifacts_import(lines=io.StringIO(text), dry_run=True)

    assert report.ok and not report.warnings
    assert report.created >= 3
    assert not Artifact.objects.exists()


def test_the_format_page_shows_the_import_format(curator_client):
    response = curator_client.get(reverse("admin:catalog_artifact_import_format"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Artifact import format (JSON Lines)" in html
    assert "<pre" in html


@pytest.mark.skipif(not SHARED_FORMAT.exists(), reason="../shared is not here")
def test_the_admin_copy_of_the_import_format_matches_the_contract():
    assert FORMAT_DOC.read_text(encoding="utf-8") == SHARED_FORMAT.read_text(encoding="utf-8")
