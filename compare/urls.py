from django.urls import path, re_path

from compare import views

app_name = "compare"

urlpatterns = [
    path("", views.grid, name="grid"),
    path("pick/", views.pick, name="pick"),
    # Slugs may themselves contain "-vs-"; the selector tries every split.
    re_path(r"^(?P<pair>[-\w]+-vs-[-\w]+)/$", views.pair, name="pair"),
]
