from django.urls import path

from ranking import views

app_name = "ranking"

urlpatterns = [
    path("", views.how_it_works, name="how-it-works"),
]
