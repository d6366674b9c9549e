from django.urls import path

from matchgraph import views

app_name = "matchgraph"

urlpatterns = [
    path("", views.search, name="search"),
    path("open/<slug:slug>/", views.open_result, name="open"),
    path("fits/<slug:slug>/", views.this_fits, name="fits"),
]
