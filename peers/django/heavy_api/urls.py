from django.urls import path

from . import views

urlpatterns = [
    path("health/", views.health),
    path("cpu-io-no-db/", views.cpu_io_no_db),
]
