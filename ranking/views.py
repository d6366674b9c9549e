"""Ranking pages: "how ranking works"."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ranking import selectors


@require_safe
def how_it_works(request: HttpRequest) -> HttpResponse:
    overview = selectors.ranking_overview()
    return render(request, "ranking/how_it_works.html", {"overview": overview})
