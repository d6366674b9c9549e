"""Alternatives and related artifacts by meaning, on the demo catalog embedded with the real
bundled model: Whisper's alternatives transcribe speech, Tesseract's read images, Piper's
neighbours speak. (One test: embedding the demo takes seconds.)"""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command

from catalog.embeddings.indexing import embeddings_refresh
from catalog.embeddings.store import uses_pgvector
from catalog.models import Artifact
from matchgraph.selectors import artifact_neighbours

pytestmark = pytest.mark.django_db


def neighbours(slug: str):
    found = artifact_neighbours(artifact=Artifact.objects.get(slug=slug))
    fresh = Artifact.objects.in_bulk([item.artifact.pk for item in found.alternatives])
    return [item.artifact.slug for item in found.related], [
        fresh[item.artifact.pk] for item in found.alternatives
    ]


def test_alternatives_and_related_by_meaning_on_the_demo(settings):
    call_command("load_demo", stdout=io.StringIO())
    embeddings_refresh(batch_size=64)

    _, whisper_alternatives = neighbours("openai-whisper")
    assert len(whisper_alternatives) == 4
    assert all("audio" in artifact.inputs for artifact in whisper_alternatives[:3])

    _, ocr_alternatives = neighbours("tesseract")
    assert {artifact.slug for artifact in ocr_alternatives[:2]} == {"easyocr", "paddleocr"}

    piper_related, _ = neighbours("piper")
    assert piper_related[0] == "coqui-tts"
    assert "elevenlabs-api" in piper_related[:3]

    # Where the server has pgvector, the index and the in-process copy give the same pages.
    if uses_pgvector():
        by_index = [neighbours(slug)[0] for slug in ("openai-whisper", "tesseract", "piper")]
        settings.EMBEDDINGS_VECTOR_SEARCH = "in_process"
        cache.clear()  # neighbours are cached by version, not by how they were found
        in_process = [neighbours(slug)[0] for slug in ("openai-whisper", "tesseract", "piper")]
        assert by_index == in_process
