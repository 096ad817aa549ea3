"""Project-wide response rules: read-only public site, security headers, database outages."""

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string

SAFE_METHODS = ("GET", "HEAD")


class ReadOnlyPublicSiteMiddleware:
    """The admin is the only writable surface: elsewhere only GET and HEAD."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS and not request.path.startswith(
            settings.WRITABLE_PATH_PREFIXES
        ):
            return HttpResponseNotAllowed(SAFE_METHODS)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class DatabaseUnavailableMiddleware:
    """A friendly 503 while the database is down, instead of a traceback.

    With CONN_HEALTH_CHECKS on, the next request after the database returns
    opens a fresh connection, so the site recovers without a restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        page = render_to_string("503.html", {"SITE_NAME": settings.SITE_NAME})
        return HttpResponse(page, status=503, headers={"Retry-After": "30"})
