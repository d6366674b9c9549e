"""Settings of benchmarks/throughput.py's gunicorn: the product's (middleware included, so
the ratio measures the pages, not the stack), with the benchmark's URLs, DEBUG off, and:

- THROUGHPUT_CACHE=dummy: Django's DummyCache, every cache read a miss (the uncached pass);
- THROUGHPUT_STATIC_ROOT: where `collectstatic` put the manifest (production's storage).

Needs benchmarks/ on the import path (gunicorn --pythonpath benchmarks)."""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

ROOT_URLCONF = "throughput_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

if os.environ.get("THROUGHPUT_CACHE") == "dummy":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

if os.environ.get("THROUGHPUT_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["THROUGHPUT_STATIC_ROOT"])
