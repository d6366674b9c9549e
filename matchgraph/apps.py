from django.apps import AppConfig


class MatchgraphConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matchgraph"
