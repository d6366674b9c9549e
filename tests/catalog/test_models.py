import pytest

from tests.catalog.factories import ArtifactFactory, CapabilityFactory

pytestmark = pytest.mark.django_db


def test_capability_title_key_is_lowercased_title():
    capability = CapabilityFactory(title="Image Captioning")
    assert capability.title_key == "image captioning"


def test_capability_titles_are_unique_per_artifact_ignoring_case():
    from django.db import IntegrityError

    artifact = ArtifactFactory()
    CapabilityFactory(artifact=artifact, title="OCR")
    with pytest.raises(IntegrityError):
        CapabilityFactory(artifact=artifact, title="ocr")
