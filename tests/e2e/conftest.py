"""Browser tests: Debian's headless Chromium, driven by Playwright, against the live server.

One browser serves the whole session; each test gets a fresh context (cookies, viewport,
colour scheme) and the shipped fixtures. Without Chromium, Playwright or axe-core the tests
skip with a message, except under CI=true, where `make install` has installed all three and a
missing one is a failure.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread


class OneRequestAtATime(WSGIServer):
    """The live server, without a thread per request.

    On SQLite the test database is one in-memory connection that the server's
    request threads share; two requests on it at once (a page and its admin
    lookups) once left the suite waiting forever. Django closes each connection
    after its response when the server is not threaded, so the browser's other
    requests queue instead.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = OneRequestAtATime

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
FIXTURES = sorted(str(path) for path in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
DESKTOP = {"width": 1280, "height": 900}


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; make install installs it, so CI must not skip these tests")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        unavailable(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("browser tests need Playwright for Python (make install)")
    # Playwright's sync API keeps an asyncio loop running on the test thread, which
    # Django's async-safety check takes for async code touching the ORM. Nothing here
    # is async, so the check is switched off while the browser is up.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(live_server):
    """The live server holding every shipped fixture (43 releases, 3 pages of 20)."""
    call_command("loaddata", *FIXTURES, verbosity=0)
    return live_server


@pytest.fixture
def requests_made():
    """Every URL the browser asked for during the test, in order."""
    return []


@pytest.fixture
def finished_requests():
    """Every request that completed, with its sizes, in order."""
    return []


@pytest.fixture
def page(browser, site, requests_made, finished_requests):
    context = browser.new_context(viewport=DESKTOP, base_url=site.url)
    context.on("request", lambda request: requests_made.append(request.url))
    context.on("requestfinished", lambda request: finished_requests.append(request))
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
    # Whatever a test did, the site must never reach off the machine: fonts, icons and
    # scripts are all served by the site itself.
    host = urlsplit(site.url).netloc
    external = [url for url in requests_made if url_host(url) not in {host, None}]
    assert not external, f"requests left the site: {external}"


def url_host(url: str) -> str | None:
    """The host a URL reaches over the network; None for data: and blob: URLs."""
    parts = urlsplit(url)
    return parts.netloc if parts.scheme in {"http", "https", "ws", "wss"} else None


@pytest.fixture(scope="session")
def axe():
    """Run axe-core on the page as it stands; return its serious and critical violations.

    Skips (or fails, in CI) when called without axe-core installed, so a test's other
    checks still run on a machine without npm.
    """
    source = AXE_SCRIPT.read_text() if AXE_SCRIPT.exists() else None

    def check(page) -> list[str]:
        if source is None:
            unavailable(f"accessibility checks need axe-core at {AXE_SCRIPT} (npm ci)")
        if not page.evaluate("() => 'axe' in window"):
            page.evaluate(source)
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            for violation in result["violations"]
            if violation["impact"] in {"serious", "critical"}
        ]

    return check


@pytest.fixture
def staff_login(site):
    """A staff member who may edit releases, and a way to sign them in through the form."""
    from django.contrib.auth.models import Permission, User

    user = User.objects.create_user("editor", password="a long editing passphrase", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_release", "change_release"])
    )

    def log_in(page):
        page.goto("/admin/login/?next=/admin/")
        page.get_by_label("Username").fill("editor")
        page.get_by_label("Password").fill("a long editing passphrase")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/admin/")

    return log_in
