from django.apps import AppConfig


class BuildersConfig(AppConfig):
    name = "builders"
    verbose_name = "Builders"
    default_auto_field = "django.db.models.BigAutoField"
