from django.urls import include, path

urlpatterns = [path("centrifugo/", include("rpcc.contrib.django.urls"))]
