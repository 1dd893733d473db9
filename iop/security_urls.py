from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
]
