"""A third-party plugin as a plugin author would write it: a menu item, a page and an
API route, registered through the ``plateau`` entry-point group."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from rest_framework import viewsets
from rest_framework.response import Response

from portal.core.navigation import MenuItem
from portal.hookspecs import hookimpl


@login_required
def hello_page(request):
    return HttpResponse(f"Hello from a plugin, {request.user.username}!")


class GreetingViewSet(viewsets.ViewSet):
    def list(self, request):
        return Response([{"greeting": f"hello {request.user.username}"}])


@hookimpl
def plateau_menu_items(user):
    return [MenuItem("Hello", "/plugins/hello/", group="Tools")]


@hookimpl
def plateau_urls():
    return [path("hello/", hello_page, name="hello")]


@hookimpl
def plateau_api_routes():
    return [("greetings", GreetingViewSet, "greeting")]
