"""What "visible" and "public" mean for an intent is said once (`matchgraph.models`): the
QuerySet filters and the SQL fragments raw queries use are built from it and agree."""

import inspect
import itertools

import pytest
from django.db import connection

from matchgraph import aggregation
from matchgraph.models import (
    NOT_HIDDEN_INTENT,
    PUBLIC_INTENT,
    VISIBLE_INTENT,
    Intent,
    intent_lookups,
    intent_sql,
)
from tests.matchgraph.factories import IntentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_kind_of_intent(db):
    """One intent for each combination of hidden, merged and public."""
    target = IntentFactory(text="the target")
    for n, (hidden, merged, public) in enumerate(itertools.product((False, True), repeat=3)):
        intent = IntentFactory(
            text=f"intent {n}", is_hidden=hidden, merged_into=target if merged else None
        )
        Intent.objects.filter(pk=intent.pk).update(is_public=public)


def ids_by_sql(rule) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT i.id FROM matchgraph_intent i WHERE {intent_sql('i', rule)}")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("rule", [NOT_HIDDEN_INTENT, VISIBLE_INTENT, PUBLIC_INTENT])
def test_the_sql_fragment_and_the_queryset_filter_select_the_same_intents(
    every_kind_of_intent, rule
):
    by_orm = set(Intent.objects.filter(**intent_lookups(rule)).values_list("pk", flat=True))
    assert by_orm == ids_by_sql(rule)
    assert 0 < len(by_orm) < Intent.objects.count()


def test_visible_and_public_are_the_rules(every_kind_of_intent):
    assert set(Intent.objects.visible()) == set(
        Intent.objects.filter(**intent_lookups(VISIBLE_INTENT))
    )
    assert all(not i.is_hidden and i.merged_into_id is None for i in Intent.objects.visible())
    assert all(i.is_public for i in Intent.objects.public())
    assert set(Intent.objects.public()) < set(Intent.objects.visible())


def test_the_aggregation_spells_no_intent_rule_itself():
    """Its SQL builds every hidden/merged test from the rules (`intent_sql`), never by hand."""
    source = inspect.getsource(aggregation)
    for column in ("is_hidden", "merged_into_id IS NULL"):
        assert column not in source
