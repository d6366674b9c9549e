from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("search/", include("matchgraph.urls")),
    path("ranking/", include("ranking.urls")),
    path("compare/", include("compare.urls")),
    path("", include("builders.urls")),
    path("", include("catalog.urls")),
]

handler404 = "catalog.views.page_not_found"
