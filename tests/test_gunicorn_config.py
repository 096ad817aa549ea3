"""The gunicorn configuration's hooks, called as gunicorn calls them."""

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


@pytest.fixture
def config():
    gc.unfreeze()
    yield runpy.run_path(str(CONFIG))
    gc.unfreeze()


def test_a_worker_freezes_what_its_first_requests_left_alive(config):
    warm = config["FREEZE_AFTER_REQUESTS"]
    for number in range(1, warm):
        config["post_request"](SimpleNamespace(nr=number), None, {}, None)
    assert gc.get_freeze_count() == 0

    config["post_request"](SimpleNamespace(nr=warm), None, {}, None)
    frozen = gc.get_freeze_count()
    assert frozen > 0

    # Later requests leave the frozen set alone (it is taken once, not grown per request).
    # It may shrink: a frozen object that another thread lets go of leaves it.
    config["post_request"](SimpleNamespace(nr=warm + 1), None, {}, None)
    assert gc.get_freeze_count() <= frozen
