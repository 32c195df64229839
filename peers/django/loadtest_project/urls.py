from django.urls import include, path

from heavy_api import views

urlpatterns = [
    # The first seed's endpoint: GET /hello (no trailing slash), also answered with one.
    path("hello", views.hello),
    path("hello/", views.hello),
    path("heavy/", include("heavy_api.urls")),
]

# JSON instead of Django's HTML pages for the errors the lab's clients may meet.
handler404 = "heavy_api.views.not_found"
handler500 = "heavy_api.views.server_error"
