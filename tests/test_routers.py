import pytest
from django.db import transaction

from archive.routers import ReplicaRouter, use_primary
from releases.models import Release

REPLICAS = ["replica1", "replica2"]


@pytest.fixture
def router(settings):
    settings.DATABASE_REPLICAS = REPLICAS
    return ReplicaRouter()


def test_reads_go_to_replicas_and_writes_to_the_primary(router):
    reads = {router.db_for_read(Release) for _ in range(50)}
    assert reads == set(REPLICAS)
    assert router.db_for_write(Release) == "default"


def test_pinned_requests_read_from_the_primary(router):
    token = use_primary.set(True)
    try:
        assert router.db_for_read(Release) == "default"
    finally:
        use_primary.reset(token)


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(router):
    with transaction.atomic():
        assert router.db_for_read(Release) == "default"


def test_only_the_primary_is_migrated(router):
    assert router.allow_migrate("default", "releases")
    assert not router.allow_migrate("replica1", "releases")


def test_without_replicas_everything_uses_default(settings):
    settings.DATABASE_REPLICAS = []
    assert ReplicaRouter().db_for_read(Release) == "default"


def test_admin_requests_are_pinned_and_public_ones_are_not(admin_client, client, monkeypatch):
    pinned = []
    original = ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        pinned.append(use_primary.get())
        return original(self, model, **hints)

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    assert admin_client.get("/admin/releases/release/").status_code == 200
    assert pinned and all(pinned)
    pinned.clear()
    assert client.get("/releases/").status_code == 200
    assert pinned and not any(pinned)


def test_replica_urls_become_aliases(monkeypatch):
    import importlib

    import archive.settings as project_settings

    monkeypatch.setenv(
        "DATABASE_REPLICA_URLS", "postgres://r1.example/archive, postgres://r2.example/archive"
    )
    reloaded = importlib.reload(project_settings)
    try:
        assert reloaded.DATABASE_REPLICAS == ["replica1", "replica2"]
        assert reloaded.DATABASES["replica2"]["HOST"] == "r2.example"
        assert reloaded.DATABASES["replica1"]["TEST"] == {"MIRROR": "default"}
    finally:
        monkeypatch.delenv("DATABASE_REPLICA_URLS")
        importlib.reload(project_settings)
