"""Input no view can store or search, mended once before any view runs."""

from django.http import HttpRequest, HttpResponseBadRequest, QueryDict

FORM_ENCODED = "application/x-www-form-urlencoded"


class StripNulCharacters:
    """A NUL character (`%00`) cannot be written to PostgreSQL text and means nothing in a
    query: it is removed from the query string and from submitted forms, so every view sees
    clean parameters. A path that holds one names nothing here: 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if "\x00" in request.path:
            return HttpResponseBadRequest(
                "This address contains a NUL character (%00), which no page here has.",
                content_type="text/plain; charset=utf-8",
            )
        if _has_nul(request.GET):
            request.GET = _without_nul(request.GET)
        form = request.method == "POST" and request.content_type == FORM_ENCODED
        if form and _has_nul(request.POST):
            request.POST = _without_nul(request.POST)
        return self.get_response(request)


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


def _without_nul(data: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
    cleaned._mutable = False
    return cleaned
