from django.urls import path

from . import views

app_name = "rpcc"

urlpatterns = [
    path("rpc", views.rpc_proxy, name="rpc"),
    path("publish", views.publish_proxy, name="publish"),
    path("subscribe", views.subscribe_proxy, name="subscribe"),
]
