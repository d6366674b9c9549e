"""Factories for ranking rows."""

import factory
from factory.django import DjangoModelFactory

from ranking.models import WeightsVersion


class WeightsVersionFactory(DjangoModelFactory[WeightsVersion]):
    class Meta:
        model = WeightsVersion

    label = factory.Sequence(lambda n: f"weights {n}")
    is_active = True
