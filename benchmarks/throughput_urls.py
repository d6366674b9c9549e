"""The URLs of benchmarks/throughput.py's gunicorn: the product's, plus a trivial view that
the pages' throughput is measured against (never part of the product's URLs)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404
from config.urls import urlpatterns as product_urlpatterns


def trivial(request: HttpRequest) -> HttpResponse:
    """No query, no template, no cache: what the stack itself costs per request."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__trivial__/", trivial), *product_urlpatterns]

__all__ = ["handler404", "urlpatterns"]
