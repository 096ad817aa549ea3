"""gunicorn settings for production and `make serve`; each can be overridden by environment."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Pages are short database reads: sync workers, recycled to keep memory flat.
worker_class = "sync"
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
wsgi_app = "archive.wsgi:application"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# A worker's first requests compile templates and fill caches that live as long as it
# does. Once they have, freeze everything alive so the garbage collector stops walking
# it: a full collection then takes a few milliseconds instead of 50 and more, which
# showed as one slow request in a hundred (docs/benchmarks.md, "Slow requests").
FREEZE_AFTER_REQUESTS = 20


def post_request(worker, req, environ, resp):
    if worker.nr == FREEZE_AFTER_REQUESTS:
        gc.collect()
        gc.freeze()
