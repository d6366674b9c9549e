"""Resilience of the public pages, on the demo catalog.

1. A NUL character (`%00`) in any parameter never answers 5xx: the middleware strips it, so
   the page shows what it would without it; a NUL in the path is a plain 400.
2. With Redis unreachable (cache and broker) every public page still renders its content;
   events are dropped and cache calls fail, both logged.
3. When Redis comes back, recording resumes in the same process without reconfiguration.
"""

import io
import logging
import time
import urllib.parse

import pytest
from django.core.management import call_command

from compare import selectors as compare_selectors
from matchgraph.models import ComparisonEvent, Intent, MatchEvent, SearchEvent
from matchgraph.search.vocabulary import vocabulary_rebuild
from tests.brokers import DEAD_REDIS_URL, forget_broker_connections, point_redis_at, private_redis
from tests.clients import CommittingClient, shown_token

pytestmark = pytest.mark.django_db

__all__ = ["point_redis_at", "private_redis"]  # the fixtures, shared with the builders' mail test

WHISPER = "openai-whisper"
FASTER_WHISPER = "faster-whisper"
CATEGORY = "speech-recognition"
HTMX = {"HX-Request": "true"}
LIVE = {"HX-Request": "true", "X-Live-Search": "1"}
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def client():
    return CommittingClient()


@pytest.fixture
def demo():
    """The demo catalog, ranked, with a search vocabulary; returns the canonical pair URL of
    Whisper and faster-whisper."""
    call_command("load_demo", stdout=io.StringIO())
    call_command("recompute_ranks", stdout=io.StringIO())
    vocabulary_rebuild()
    result = compare_selectors.comparison_for_pair(pair=f"{WHISPER}-vs-{FASTER_WHISPER}")
    return result.canonical_url


def names_shown(response) -> list[str]:
    """The artifact names a listing page (browse, category, search) shows, in order."""
    context = response.context
    if "results" in context:
        return [item.artifact.name for item in context["results"].items]
    return [artifact.name for artifact in context["result"].page.object_list]


# --- 1. NUL bytes never 5xx -----------------------------------------------------------------

# Every parameter a listing reads, each with a NUL inside its value (and a NUL-named one).
LISTING_NUL = (
    "q=wh%00isper&page=1%00&sort=na%00me&kind=mo%00del&license=MI%00T"
    "&category=speech-recog%00nition&free_tier=o%00n&pricing=open%00_source"
    "&input=au%00dio&output=te%00xt&exact=1%00&%00=%00&q%00=x"
)


def nul_requests(pair_url: str) -> list[tuple[str, str, str, dict]]:
    """(label, method, url with a raw query string, extra request arguments)."""
    compare_nul = "more=faster-whis%00per&q=speech%00 to text&a=%00&pos=1%00"
    return [
        ("home", "get", "/?q=%00&%00=%00", {}),
        ("browse", "get", f"/browse/?{LISTING_NUL}", {}),
        ("browse htmx", "get", f"/browse/?{LISTING_NUL}", {"headers": HTMX}),
        ("categories", "get", "/categories/?page=%00&q=%00", {}),
        ("category", "get", f"/categories/{CATEGORY}/?{LISTING_NUL}", {}),
        ("category htmx", "get", f"/categories/{CATEGORY}/?{LISTING_NUL}", {"headers": HTMX}),
        ("artifact", "get", f"/a/{WHISPER}/?q=%00&pos=%00&more=%00", {}),
        ("search", "get", f"/search/?{LISTING_NUL}", {}),
        ("search htmx", "get", f"/search/?{LISTING_NUL}", {"headers": HTMX}),
        ("search live", "get", f"/search/?{LISTING_NUL}", {"headers": LIVE}),
        ("search only nul", "get", "/search/?q=%00%00&page=%00", {}),
        ("open", "get", f"/search/open/{WHISPER}/?q=wh%00isper&pos=2%00", {}),
        ("open no query", "get", f"/search/open/{WHISPER}/?q=%00&pos=%00", {}),
        ("pair", "get", f"{pair_url}?{compare_nul}", {}),
        (
            "pair htmx caps",
            "get",
            f"{pair_url}?{compare_nul}",
            {"headers": {**HTMX, "HX-Target": f"caps-{FASTER_WHISPER}%00"}},
        ),
        ("grid", "get", "/compare/?a=openai-whis%00per&a=faster-whis%00per&q=%00", {}),
        ("grid empty", "get", "/compare/?a=%00&a=%00", {}),
        (
            "pick",
            "get",
            f"/compare/pick/?q=fast%00er&a={WHISPER}%00&mode=pa%00ir&swap=%00",
            {},
        ),
        (
            "pick htmx",
            "get",
            f"/compare/pick/?q=fast%00er&a={WHISPER}%00&mode=gr%00id",
            {"headers": {**HTMX, "HX-Target": "add-suggestions"}},
        ),
        ("ranking", "get", "/ranking/?q=%00&kind=%00", {}),
        (
            "fits",
            "post",
            f"/search/fits/{WHISPER}/",
            {"data": f"q=wh%00isper&pos=1%00&next=/a/{WHISPER}/%00", "content_type": FORM},
        ),
        (
            "fits htmx",
            "post",
            f"/search/fits/{WHISPER}/",
            {"data": "q=wh%00isper&pos=%00", "content_type": FORM, "headers": HTMX},
        ),
        (
            # Multipart forms are not rewritten by the middleware: the view must cope.
            "fits multipart",
            "post",
            f"/search/fits/{WHISPER}/",
            {"data": {"q": "wh\x00isper", "pos": "1\x00", "next": "/\x00"}},
        ),
    ]


def test_nul_in_any_parameter_of_any_public_page_never_answers_5xx(client, demo):
    failures = []
    for label, method, url, extra in nul_requests(demo):
        response = getattr(client, method)(url, **extra)
        if response.status_code >= 500:
            failures.append(f"{label}: {method.upper()} {url} -> {response.status_code}")
    assert failures == []


def test_nul_is_ignored_by_browse_filters(client, demo):
    with_nul = client.get("/browse/?license=MI%00T&sort=na%00me&kind=repo%00sitory")
    clean = client.get("/browse/?license=MIT&sort=name&kind=repository")
    everything = client.get("/browse/?sort=name")
    assert with_nul.status_code == clean.status_code == 200
    assert names_shown(with_nul) == names_shown(clean)
    assert 0 < len(names_shown(clean)) < len(names_shown(everything))
    assert {"whisper.cpp", "faster-whisper", "llama.cpp"} <= set(names_shown(with_nul))
    assert "Whisper" not in names_shown(with_nul)  # a model, not a repository


def test_nul_is_ignored_by_category_pages_and_pagination(client, demo):
    with_nul = client.get(f"/categories/{CATEGORY}/?free_tier=o%00n&page=1%00")
    clean = client.get(f"/categories/{CATEGORY}/?free_tier=on")
    assert with_nul.status_code == clean.status_code == 200
    assert names_shown(with_nul) == names_shown(clean)
    assert "Whisper" in names_shown(with_nul)
    second_page = client.get("/browse/?page=2%00")
    assert second_page.status_code == 200
    assert names_shown(second_page) == names_shown(client.get("/browse/?page=2"))


@pytest.mark.parametrize("headers", [{}, HTMX, LIVE], ids=["page", "htmx", "live"])
def test_nul_is_ignored_by_search(client, demo, headers):
    with_nul = client.get("/search/?q=wh%00isper", headers=headers)
    clean = client.get("/search/?q=whisper", headers=headers)
    assert with_nul.status_code == clean.status_code == 200
    assert "Whisper" in names_shown(with_nul)
    assert names_shown(with_nul) == names_shown(clean)
    assert "\x00" not in with_nul.content.decode()


def test_a_search_and_a_choice_with_nul_are_recorded_without_it(client, demo):
    assert client.get("/search/?q=wh%00isper").status_code == 200
    assert SearchEvent.objects.get().intent.text == "whisper"
    token = urllib.parse.quote(shown_token(client, "whisper", WHISPER))
    response = client.get(f"/search/open/{WHISPER}/?q=wh%00isper&t={token}%00")
    assert response.status_code == 302
    assert response["Location"] == f"/a/{WHISPER}/"
    match = MatchEvent.objects.get()
    assert (match.intent.text, match.artifact.slug, match.evidence) == ("whisper", WHISPER, "shown")
    assert list(Intent.objects.values_list("text", flat=True)) == ["whisper"]


def test_nul_is_ignored_by_this_fits(client, demo):
    token = urllib.parse.quote(shown_token(client, "whisper", WHISPER))
    response = client.post(
        f"/search/fits/{WHISPER}/",
        data=f"q=wh%00isper&t={token}%00&next=/a/{WHISPER}/%00",
        content_type=FORM,
    )
    assert response.status_code == 302
    assert response["Location"] == f"/a/{WHISPER}/"
    match = MatchEvent.objects.get()
    assert (match.intent.text, match.via, match.evidence) == ("whisper", "fits", "shown")


def test_nul_is_ignored_by_the_comparison_grid_and_picker(client, demo):
    grid = client.get("/compare/?a=openai-whis%00per&a=faster-whis%00per")
    assert grid.status_code == 200
    assert ">Comparing 2 artifacts</h1>" in grid.content.decode()
    assert ComparisonEvent.objects.count() == 1
    picker = client.get(f"/compare/pick/?q=fast%00er&a={WHISPER}%00", headers=HTMX)
    clean = client.get(f"/compare/pick/?q=faster&a={WHISPER}", headers=HTMX)
    assert picker.status_code == clean.status_code == 200
    assert "faster-whisper" in picker.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/a/whis%00per/", "/search/%00/", "/%00", f"/compare/{WHISPER}-vs-fast%00er-whisper/"],
)
def test_a_nul_in_the_path_is_a_plain_400(client, demo, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "NUL character" in response.content.decode()


# --- Redis (cache and broker) pointed elsewhere for one test -----------------------------------


def public_pages(pair_url: str) -> list[tuple[str, str, str, dict, int, str]]:
    """(label, method, url, request arguments, status, text the answer must hold)."""
    return [
        ("home", "get", "/", {}, 200, "Find the AI artifact that fits what you are building"),
        ("browse", "get", "/browse/?license=MIT", {}, 200, "whisper.cpp"),
        ("categories", "get", "/categories/", {}, 200, "Speech recognition"),
        ("category", "get", f"/categories/{CATEGORY}/", {}, 200, "faster-whisper"),
        ("artifact", "get", f"/a/{WHISPER}/", {}, 200, "<h1>Whisper</h1>"),
        ("search", "get", "/search/?q=whisper", {}, 200, "whisper.cpp"),
        ("search htmx", "get", "/search/?q=whisper", {"headers": HTMX}, 200, "whisper.cpp"),
        ("search live", "get", "/search/?q=whisper", {"headers": LIVE}, 200, "whisper.cpp"),
        ("open", "get", f"/search/open/{WHISPER}/?q=whisper&pos=1", {}, 302, ""),
        (
            "fits",
            "post",
            f"/search/fits/{WHISPER}/",
            {"data": {"q": "whisper", "pos": "1"}},
            302,
            "",
        ),
        ("pair", "get", pair_url, {}, 200, '<span class="vs">vs</span>'),
        (
            "grid",
            "get",
            f"/compare/?a={WHISPER}&a={FASTER_WHISPER}&a=whisper-cpp",
            {},
            200,
            ">Comparing 3 artifacts</h1>",
        ),
        ("pick", "get", f"/compare/pick/?q=faster&a={WHISPER}", {}, 200, "faster-whisper"),
        ("ranking", "get", "/ranking/", {}, 200, "<h1>How UnfragileRank works</h1>"),
    ]


# --- 2. Redis unreachable: every public page still answers ----------------------------------


@pytest.mark.real_worker
def test_with_redis_unreachable_every_public_page_still_renders(
    client, demo, point_redis_at, caplog
):
    point_redis_at(DEAD_REDIS_URL)
    caplog.set_level(logging.WARNING)
    started = time.monotonic()
    for label, method, url, extra, status, text in public_pages(demo):
        response = getattr(client, method)(url, **extra)
        body = response.content.decode()
        assert (label, response.status_code, text in body) == (label, status, True), body[:500]
    elapsed = time.monotonic() - started

    messages = [record.getMessage() for record in caplog.records]
    dropped = [message for message in messages if message.startswith("dropped ")]
    for task in ("record_search", "record_match", "record_comparison"):
        assert any(f"matchgraph.tasks.{task}: broker unreachable" in m for m in dropped), task
    assert any(m.startswith("cache get failed, treated as a miss") for m in messages)
    assert any(
        m.startswith("cache set failed") or m.startswith("cache add failed") for m in messages
    )
    # Nothing was recorded (the events were dropped, not run in-process).
    assert not SearchEvent.objects.exists()
    assert not MatchEvent.objects.exists()
    assert not ComparisonEvent.objects.exists()
    assert elapsed < 30, f"pages took {elapsed:.1f}s with Redis down"


@pytest.fixture
def project_broker_settings_pointed_at_a_dead_broker():
    """The project's own broker settings (REDIS_URL set), only the URL changed to a dead
    broker; tasks not eager. Restored afterwards."""
    from django.conf import settings as django_settings

    from config.celery import app

    if not django_settings.REDIS_URL:
        pytest.skip("the project's broker settings apply only when REDIS_URL is set")
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=DEAD_REDIS_URL, task_always_eager=False)
    forget_broker_connections(app)
    yield
    app.conf.update(saved)
    forget_broker_connections(app)


@pytest.mark.real_worker
def test_a_dead_broker_costs_a_request_little_with_the_project_settings(
    client, demo, project_broker_settings_pointed_at_a_dead_broker, caplog
):
    """Regression: at c1e0d97 the project's broker options had no "max_retries", and
    kombu's Connection._ensure_connection (retry_over_time, interval_start=2) slept 2 s
    after the refused connect before raising: every event queued while the broker was down
    added ~2 s to the request (this search took 2.0 s)."""
    caplog.set_level(logging.WARNING, logger="config.queueing")
    started = time.monotonic()
    response = client.get("/search/?q=whisper")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert any(r.getMessage().startswith("dropped ") for r in caplog.records)
    assert elapsed < 1.0, f"a search took {elapsed:.2f}s with the broker down"


# --- 3. Redis back: recording resumes without a restart ------------------------------------


@pytest.mark.real_worker
def test_recording_resumes_when_redis_comes_back_without_a_restart(
    client, demo, point_redis_at, private_redis, caplog
):
    point_redis_at(private_redis.url)
    caplog.set_level(logging.WARNING, logger="config.queueing")

    # Redis up: the submitted search's event reaches the broker.
    response = client.get("/search/?q=whisper")
    assert response.status_code == 200
    assert "whisper.cpp" in response.content.decode()
    up = private_redis.queued()
    assert up > 0

    # Redis down: the page still answers; the event is dropped and logged.
    private_redis.stop()
    caplog.clear()
    started = time.monotonic()
    response = client.get("/search/?q=faster whisper")
    assert response.status_code == 200
    assert "faster-whisper" in response.content.decode()
    assert any(
        record.getMessage().startswith("dropped matchgraph.tasks.record_search")
        for record in caplog.records
    )
    assert time.monotonic() - started < 10

    # Redis back on the same port (empty): nothing reconfigured, the next event reaches it.
    private_redis.start()
    assert private_redis.queued() == 0
    caplog.clear()
    response = client.get("/search/?q=speech to text")
    assert response.status_code == 200
    assert not [r for r in caplog.records if r.getMessage().startswith("dropped")]
    assert private_redis.queued() > 0
