from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("browse/", views.browse, name="browse"),
    path("a/<slug:slug>/", views.artifact_detail, name="artifact-detail"),
    path("a/<slug:slug>/cost/", views.artifact_cost, name="artifact-cost"),
    path("categories/", views.category_list, name="category-list"),
    path("categories/<slug:slug>/", views.category_detail, name="category-detail"),
]
