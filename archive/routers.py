"""Send reads to replicas and writes to the primary.

Reads that must see a write just made (the admin, anything inside a
transaction, any non-GET request) stay on the primary.
"""

import random
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction

use_primary = ContextVar("use_primary", default=False)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        replicas = settings.DATABASE_REPLICAS
        if not replicas or use_primary.get() or transaction.get_connection().in_atomic_block:
            return "default"
        return random.choice(replicas)

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same data as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class PrimaryForWritersMiddleware:
    """Pin staff and writing requests to the primary so they read their own writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pin = request.method not in ("GET", "HEAD") or request.path.startswith(
            settings.WRITABLE_PATH_PREFIXES
        )
        token = use_primary.set(pin)
        try:
            return self.get_response(request)
        finally:
            use_primary.reset(token)
