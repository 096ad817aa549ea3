"""Security headers, the read-only public site and safe failure."""

import pytest
from django.db import OperationalError


@pytest.mark.parametrize("url", ["/", "/releases/", "/api/releases/", "/admin/login/"])
def test_security_headers_on_every_response(client, db, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("url", ["/", "/releases/", "/api/releases/", "/healthz"])
def test_public_site_allows_only_get_and_head(client, db, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_head_works(client, release):
    response = client.head(release.get_absolute_url())
    assert response.status_code == 200


def test_database_outage_gets_a_friendly_503(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection to server failed")

    monkeypatch.setattr("releases.views.ReleaseListView.get_queryset", broken)
    response = client.get("/releases/")
    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()
    assert response["Retry-After"] == "30"


def test_healthz_reports_database_down(client, db, monkeypatch):
    class DownConnection:
        def cursor(self):
            raise OperationalError("server closed the connection")

    monkeypatch.setattr("releases.views.connection", DownConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_json_ld_carries_the_csp_nonce(client, release):
    response = client.get(release.get_absolute_url())
    csp = response["Content-Security-Policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'<script type="application/ld+json" nonce="{nonce}">' in response.content.decode()
