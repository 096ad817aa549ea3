"""HTTP caching for public pages: ETag, Last-Modified, 304s and a server-side page cache.

Every public page is derived from the archive's data, and `ArchiveState`
changes (by database trigger) whenever that data does. Keying on it means a
page is never served stale after an edit, and a conditional request costs one
small query instead of a render. The date is part of the key because a
scheduled release becomes public at midnight without any write.
"""

import datetime
import functools
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections, router
from django.db.models import Subquery
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from .models import ArchiveState, Release

CACHE_CONTROL = {"public": True, "max_age": 60, "stale_while_revalidate": 600}


@dataclass(frozen=True)
class DataVersion:
    token: str
    last_modified: datetime.datetime


def current_version() -> DataVersion | None:
    today = timezone.localdate()
    alias = router.db_for_read(ArchiveState)
    sql, params, columns = version_statement(alias, today)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    version, changed_at, newest = (
        from_db(value, column, connection) for value, column in zip(row, columns, strict=True)
    )
    # A release that became public today changed the pages at midnight, not at its last edit.
    last_modified = changed_at
    if newest == today:
        midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
        last_modified = max(last_modified, midnight)
    return DataVersion(f"{version}.{changed_at.timestamp():.6f}.{today:%Y%m%d}", last_modified)


@functools.lru_cache(maxsize=16)
def version_statement(alias: str, today: datetime.date) -> tuple[str, tuple, list]:
    """SQL reading the data version and the newest public date, and its columns.

    Compiled once a day: every request runs it, cached pages included, and
    building it with the ORM each time took three times as long as running it.
    """
    newest_public = Release.objects.published().order_by("-published_on").values("published_on")
    state = (
        ArchiveState.objects.using(alias)
        .filter(id=1)
        .annotate(newest=Subquery(newest_public[:1]))
        .values_list("version", "changed_at", "newest")
    )
    compiler = state.query.get_compiler(alias)
    sql, params = compiler.as_sql()
    return sql, tuple(params), [column for column, _, _ in compiler.select]


def from_db(value, column, connection):
    """A value as the ORM would have returned it (SQLite sends dates as text)."""
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
    for convert in converters:
        value = convert(value, column, connection)
    return value


def is_cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(settings.UNCACHED_PATH_PREFIXES):
        return False
    # Signed-in staff may see drafts and banners: their pages are never shared.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


class PublicCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_cacheable_request(request):
            return self.get_response(request)
        try:
            version = current_version()
        except (OperationalError, InterfaceError):
            version = None  # the view will meet the same outage and answer 503
        if version is None:
            return self.get_response(request)
        request.data_version = version

        page = f"{version.token} {request.get_full_path()}".encode("utf-8", "surrogatepass")
        etag = f'"{hashlib.sha256(page).hexdigest()[:32]}"'
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=int(version.last_modified.timestamp())
        )
        if not_modified is not None:
            self.add_headers(not_modified, etag, version)
            return not_modified

        key = f"page:{request.method}:{etag}"
        response = cache.get(key) if settings.PAGE_CACHE_ENABLED else None
        if response is None:
            response = self.get_response(request)
            if response.has_header("Cache-Control"):
                return response  # the view chose its own caching (e.g. immutable images)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                # Requests with a session cookie never get here, so the stored page
                # is the one every cookie-less reader sees.
                self.add_headers(response, etag, version)
                if settings.PAGE_CACHE_ENABLED:
                    cache.set(key, response, timeout=settings.PAGE_CACHE_SECONDS)
            elif response.status_code in (200, 404):
                self.add_headers(response, etag, version)
        return response

    @staticmethod
    def add_headers(response, etag, version):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(version.last_modified.timestamp())
        patch_cache_control(response, **CACHE_CONTROL)


def remember(request, name: str, compute):
    """`compute()`, kept in the cache until the archive's data changes.

    For counts that cost a scan (tag counts, result totals): the key carries
    the data version that PublicCacheMiddleware read for this request, so a
    change anywhere makes every remembered value stale at once.
    """
    version = getattr(request, "data_version", None)
    if version is None or not settings.COUNT_CACHE_ENABLED:
        return compute()
    digest = hashlib.sha256(f"{name}\0{version.token}".encode("utf-8", "surrogatepass"))
    key = f"data:{digest.hexdigest()[:32]}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=settings.PAGE_CACHE_SECONDS)
    return value
