"""The artifact's admin form: lists one item a line, details as `key: value` lines, modalities
as checkboxes, and a save of the form as shown changes nothing, in the rows or on the page."""

import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from catalog.forms import ArtifactAdminForm, DetailsField, LinesField
from catalog.models import Artifact, Signals
from catalog.search_index import artifacts_refresh_search
from tests.catalog.factories import ArtifactFactory, token_api_with_two_plans

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

# A page's CSRF token, in the places base.html and {% csrf_token %} put it.
TOKEN_RE = re.compile(r"[A-Za-z0-9]{64}")


@pytest.fixture
def curator_client(client):
    user = get_user_model().objects.create_superuser("curator", "c@example.org", "pw-for-tests")
    client.force_login(user)
    return client


class _FormFields(HTMLParser):
    """What a browser would send for the form with id `form_id`, submitted as shown: every
    named input (checked boxes only), each textarea's text with CRLF line ends, and each
    select's selected options (the first option when none of a single select is)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            text = text.removeprefix("\n")  # HTML drops a line feed just after <textarea>
            self.data.append((self._textarea, text.replace("\n", "\r\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [value for value, selected in options if selected]
            if not chosen and not self._select["multiple"] and options:
                chosen = [options[0][0]]
            self.data.extend((self._select["name"], value) for value in chosen)
            self._select = None


def _post_data(html: str, form_id: str) -> dict[str, list[str]]:
    parser = _FormFields(form_id)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data


def _stored(artifact: Artifact) -> dict:
    """Every stored fact of the artifact and its rows, the save time left out."""
    artifact = Artifact.objects.get(pk=artifact.pk)
    row = model_to_dict(artifact, exclude=["categories"])
    for name in ("search_vector", "search_field_lengths", "rank_evidence", "created_at"):
        row[name] = getattr(artifact, name)
    return {
        "artifact": row,
        "categories": sorted(artifact.categories.values_list("slug", flat=True)),
        "capabilities": list(artifact.capabilities.values().order_by("id")),
        "plans": list(artifact.plans.values().order_by("id")),
        "sources": list(artifact.sources.values().order_by("id")),
        "links": list(artifact.links_out.values().order_by("id")),
        "signals": list(Signals.objects.filter(artifact=artifact).values()),
    }


def _differences(before: dict, after: dict) -> dict:
    """What changed, field by field: {"artifact.details": (before, after), ...}."""
    changed = {}
    for part, value in before.items():
        if part == "artifact":
            for name, old in value.items():
                if after[part][name] != old:
                    changed[f"{part}.{name}"] = (old, after[part][name])
        elif after[part] != value:
            changed[part] = (value, after[part])
    return changed


def _public_page(slug: str) -> str:
    """The artifact page as a visitor without a session gets it, tokens masked."""
    response = Client().get(reverse("catalog:artifact-detail", args=[slug]))
    assert response.status_code == 200
    return TOKEN_RE.sub("TOKEN", response.content.decode())


def _save_as_shown(curator_client, artifact: Artifact) -> None:
    url = reverse("admin:catalog_artifact_change", args=[artifact.pk])
    html = curator_client.get(url).content.decode()
    data = _post_data(html, "artifact_form")
    data["_save"] = ["Save"]
    response = curator_client.post(url, data)
    assert response.status_code == 302, _form_errors(response)


def _form_errors(response) -> str:
    context = response.context
    if context is None:
        return response.content.decode()[:2000]
    errors = [context["adminform"].form.errors] if "adminform" in context else []
    errors += [formset.errors for formset in context.get("inline_admin_formsets", [])]
    return repr(errors)


def test_saving_demo_artifacts_unchanged_changes_nothing(curator_client):
    call_command("load_demo", stdout=io.StringIO())
    artifacts = [
        artifact
        for artifact in Artifact.objects.all()
        if any("," in item for item in artifact.best_for + artifact.limitations)
        or len({type(value) for _, value in artifact.details}) > 1
    ]
    # The shapes this test is about are in the demo: commas in items, mixed detail types.
    assert any("," in item for a in artifacts for item in a.best_for + a.limitations)
    assert any({int, bool} <= {type(v) for _, v in a.details} for a in artifacts)
    assert any(len(a.inputs) + len(a.outputs) > 2 for a in artifacts)
    for artifact in artifacts[:12]:
        stored, page = _stored(artifact), _public_page(artifact.slug)

        _save_as_shown(curator_client, artifact)

        assert _differences(stored, _stored(artifact)) == {}, artifact.slug
        assert _public_page(artifact.slug) == page, artifact.slug


def test_saving_unchanged_keeps_types_order_and_odd_text(curator_client):
    artifact = ArtifactFactory(
        best_for=["Shops, markets and fairs", "Runs on a phone"],
        limitations=["One line\nthat an import split in two"],
        requirements=[],
        details=[
            ["context_length", 131072],
            ["weights_available", True],
            ["score", 0.25],
            ["version", "7"],
            ["notes", "  padded "],
            ["key: with colon", "true"],
            ["empty", ""],
            ["unknown", None],
            ["family", "ERNIE 4.5"],
        ],
        inputs=["image", "text"],
        outputs=["audio", "code", "text"],
        reviewed_at=dt.datetime(2026, 11, 1, 9, 30, 15, 123456, tzinfo=dt.UTC),
    )
    artifacts_refresh_search(artifact_ids=[artifact.pk])  # as every real write path does
    stored, page = _stored(artifact), _public_page(artifact.slug)

    _save_as_shown(curator_client, artifact)

    assert _differences(stored, _stored(artifact)) == {}
    assert _public_page(artifact.slug) == page


def test_a_line_with_commas_stays_one_item(curator_client):
    artifact = ArtifactFactory(best_for=[])
    url = reverse("admin:catalog_artifact_change", args=[artifact.pk])
    data = _post_data(curator_client.get(url).content.decode(), "artifact_form")
    data["best_for"] = ["  Shops, markets, and fairs  \r\n\r\nPhones\r\n"]
    data["_save"] = ["Save"]
    assert curator_client.post(url, data).status_code == 302
    artifact.refresh_from_db()
    assert artifact.best_for == ["Shops, markets, and fairs", "Phones"]


def test_the_form_shows_lists_details_and_modalities_as_curators_edit_them():
    artifact = ArtifactFactory(
        best_for=["A, B", "C"],
        details=[["context_length", 131072], ["version", "7"], ["open", True]],
        inputs=["text", "image"],
    )
    form = ArtifactAdminForm(instance=artifact)
    assert form["best_for"].value() == "A, B\nC"
    shown = form.fields["details"].prepare_value(artifact.details)
    assert shown == 'context_length: 131072\nversion: "7"\nopen: true'
    html = str(form["inputs"])
    assert 'type="checkbox"' in html
    assert html.count("checked") == 2


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("size: 12B\nlayers: 12\nopen: false", [["size", "12B"], ["layers", 12], ["open", False]]),
        ('tag: "12"', [["tag", "12"]]),
        (
            "ratio: 0.5\nbig: 1e3\nnothing: null",
            [["ratio", 0.5], ["big", 1000.0], ["nothing", None]],
        ),
        ("url: https://example.org/a", [["url", "https://example.org/a"]]),
        ('"a: b": c', [["a: b", "c"]]),
        ("a:", [["a", ""]]),
    ],
)
def test_details_lines_read_as_typed_pairs(text, pairs):
    assert DetailsField().clean(text) == pairs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no colon here", "write it as key: value"),
        (": value", "the key is empty"),
        ("a: 1\na: 2", "already used"),
        ('a: "open', "not closed"),
        ("a: 1e999", "too large"),
    ],
)
def test_details_lines_that_cannot_be_read_say_which_line(text, message):
    field = DetailsField()
    with pytest.raises(Exception, match=message):
        field.clean(text)


def test_lines_split_only_at_line_breaks():
    assert LinesField().clean("a\u2028b, c\r\n  \r\nd") == ["a\u2028b, c", "d"]


def test_ticking_a_modality_keeps_the_stored_order(curator_client):
    artifact = ArtifactFactory(inputs=["image", "text"])
    url = reverse("admin:catalog_artifact_change", args=[artifact.pk])
    data = _post_data(curator_client.get(url).content.decode(), "artifact_form")
    data["inputs"] = ["text", "audio", "image"]
    data["_save"] = ["Save"]
    assert curator_client.post(url, data).status_code == 302
    artifact.refresh_from_db()
    assert artifact.inputs == ["image", "text", "audio"]


def test_a_new_artifact_is_added_with_lines_details_and_modalities(curator_client):
    url = reverse("admin:catalog_artifact_add")
    data = _post_data(curator_client.get(url).content.decode(), "artifact_form")
    data.update(
        name=["Piper"],
        slug=["piper"],
        kind=["tool"],
        summary=["Speaks text aloud."],
        best_for=["Phones, tablets\r\nKiosks"],
        details=['voices: 40\r\nlocal: true\r\nversion: "2"'],
        inputs=["text"],
        outputs=["audio"],
        _save=["Save"],
    )
    response = curator_client.post(url, data)
    assert response.status_code == 302, _form_errors(response)
    piper = Artifact.objects.get(slug="piper")
    assert piper.best_for == ["Phones, tablets", "Kiosks"]
    assert piper.details == [["voices", 40], ["local", True], ["version", "2"]]
    assert (piper.inputs, piper.outputs) == (["text"], ["audio"])


def test_a_details_mistake_is_shown_on_the_form(curator_client):
    artifact = ArtifactFactory()
    url = reverse("admin:catalog_artifact_change", args=[artifact.pk])
    data = _post_data(curator_client.get(url).content.decode(), "artifact_form")
    data.update(details=["size 12B"], _save=["Save"])
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assert "Line 1: write it as key: value." in response.content.decode()


def test_editing_and_deleting_plans_inline_updates_the_listing_prices(curator_client):
    """The plans inline is where curators price an artifact: its save recomputes what browse
    filters and sorts by, and the cards a visitor sees show the new headline."""
    artifact = token_api_with_two_plans()
    Artifact.objects.filter(pk=artifact.pk).update(free_tier=False)
    url = reverse("admin:catalog_artifact_change", args=[artifact.pk])
    data = _post_data(curator_client.get(url).content.decode(), "artifact_form")
    rows = {data[f"plans-{n}-name"][0]: n for n in range(int(data["plans-TOTAL_FORMS"][0]))}
    data[f"plans-{rows['Claude Haiku 4.5 input']}-DELETE"] = ["on"]
    data[f"plans-{rows['Claude Sonnet 4.5 input']}-price"] = ["0.0000004"]
    data["free_tier"] = ["true"]
    data["_save"] = ["Save"]
    response = curator_client.post(url, data)
    assert response.status_code == 302, _form_errors(response)

    artifact.refresh_from_db()
    assert artifact.headline_token_price_per_million == Decimal("0.400000")
    visitor = Client()
    browse = reverse("catalog:browse")
    cheap = visitor.get(browse, {"price": "0.5"}).content.decode()
    assert "From $0.40 / $15.00 per 1M tokens (input / output)" in cheap
    assert "Claude API" in visitor.get(browse, {"free_tier": "on"}).content.decode()
