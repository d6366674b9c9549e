"""Curators' admin: every catalog table opens, bulk actions work, JSONL uploads import."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Artifact
from tests.catalog.factories import ArtifactFactory, CapabilityFactory, CategoryFactory

pytestmark = pytest.mark.django_db


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
