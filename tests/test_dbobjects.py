"""The database's derived objects (releases/dbobjects/): installed, repaired, and never in
the way of an ordinary schema change."""

import datetime
import io
import sys
from pathlib import Path
from shutil import copytree

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse

from releases import dbobjects
from releases.models import Agency, AgencyAlias, Figure, Programme, Release, published_items
from releases.search import search_releases

CONCERNS = ("state", "link_dates", "tallies", "search", "search_totals")
MIGRATIONS = Path(__file__).resolve().parent.parent / "releases" / "migrations"

# A new field on Release and longer names on two tag models: the most ordinary changes,
# each of which makes SQLite re-create the table (and checks every trigger and view).
SCHEMA_CHANGE = """
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("releases", "{latest}")]

    operations = [
        migrations.AddField(
            model_name="release",
            name="subtitle",
            field=models.CharField(max_length=200, blank=True, db_default=""),
        ),
        migrations.AlterField(
            model_name="agencyalias",
            name="name",
            field=models.CharField(
                max_length=250, help_text="The former name, as it appeared then."
            ),
        ),
        migrations.AlterField(
            model_name="programme",
            name="name",
            field=models.CharField(max_length=150, unique=True, verbose_name="name"),
        ),
    ]
"""


def titles(query: str) -> set[str]:
    return {release.title for release in search_releases(query=query)}


def release_counts(model) -> dict[str, int]:
    return {tag.slug: tag.release_count for tag in model.objects.with_release_counts()}


def counted(model) -> dict[str, int]:
    """The same counts the slow way, from every link (what the tallies stand for)."""
    tags = model.objects.annotate(release_count=Count("items", filter=published_items()))
    return {tag.slug: tag.release_count for tag in tags}


def assert_derived_data_right():
    assert dbobjects.missing() == []
    for model in (Agency, Programme, Figure):
        assert release_counts(model) == counted(model), model.__name__
    assert Release.objects.public_total() == Release.objects.published().count()
    for release in Release.objects.published():
        assert release.title in titles(f'"{release.title}"')


@pytest.fixture
def archive(make_release, imda, smart_city):
    AgencyAlias.objects.create(agency=imda, name="Infocomm Development Authority", acronym="IDA")
    make_release(
        title="Kingfisher survey begins",
        agencies=[imda],
        programmes=[smart_city],
        figures=["12 survey sites"],
    )
    make_release(title="Heron count published", agencies=[imda])
    make_release(title="Egret draft", agencies=[imda], status=Release.Status.DRAFT)


@pytest.fixture
def changed_migrations(tmp_path, settings):
    """The app's migrations and one more that changes the schema, as a migrations module."""
    package = tmp_path / "changed_migrations"
    copytree(MIGRATIONS, package, ignore=lambda *_: ["__pycache__"])
    latest = sorted(p.stem for p in MIGRATIONS.glob("0*.py"))[-1]
    (package / "0099_schema_change.py").write_text(SCHEMA_CHANGE.format(latest=latest))
    sys.path.insert(0, str(tmp_path))
    settings.MIGRATION_MODULES = {"releases": "changed_migrations"}
    yield latest
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("changed_migrations")]:
        del sys.modules[name]


def column_length(table: str, column: str) -> int | None:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    found = {info.name: info for info in description}
    if column not in found:
        return None
    info = found[column]
    if connection.vendor == "postgresql":
        return info.display_size  # varchar(n)'s n
    return int(info.type_code.split("(")[1].rstrip(")"))  # SQLite: the declared type


@pytest.mark.django_db(transaction=True)
def test_an_ordinary_schema_change_migrates_with_every_derived_object_in_place(
    archive, changed_migrations, admin_client
):
    out = io.StringIO()
    try:
        call_command("migrate", "releases", stdout=out)
        assert column_length("releases_release", "subtitle") == 200
        assert "Derived objects, search: put back" in out.getvalue()
        assert_derived_data_right()
        assert titles("kingfisher") == {"Kingfisher survey begins"}
        assert titles("IDA") == {"Kingfisher survey begins", "Heron count published"}
        assert titles("egret") == set()

        # The admin still edits a release, and search and the counts follow it.
        release = Release.objects.get(title="Kingfisher survey begins")
        page = admin_client.get(reverse("admin:releases_release_change", args=[release.pk]))
        form = page.context["adminform"].form
        data = {name: form[name].value() or "" for name in form.fields if name != "hero_image"}
        data.update(title="Kingfisher survey ends", programmes="", figures="12 survey sites")
        data["change_kind"] = "update"  # readers will see it: a new version
        data["published_on"] = release.published_on.isoformat()
        response = admin_client.post(page.request["PATH_INFO"], data)
        assert response.status_code == 302, getattr(response, "context", {}).get("errors")
        assert titles("kingfisher") == {"Kingfisher survey ends"}
        assert_derived_data_right()
        long_name = "Smart Nation and Digital Government Office of the Prime Minister's Office"
        Programme.objects.create(name=long_name + " (2014-2023)", slug="sndgo")
        assert_derived_data_right()
    finally:
        Programme.objects.filter(slug="sndgo").delete()
        call_command("migrate", "releases", changed_migrations, stdout=io.StringIO())
    assert column_length("releases_release", "subtitle") is None
    assert_derived_data_right()
    assert titles("kingfisher") == {"Kingfisher survey ends"}


@pytest.mark.django_db
def test_the_models_and_the_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.parametrize("concern", CONCERNS)
def test_installing_puts_back_any_one_missing_object_and_rebuilds_its_data(archive, concern):
    objects = [
        obj
        for c in dbobjects.concerns(connection.cursor(), connection.vendor)
        if c.name == concern
        for obj in c.objects
    ]
    assert objects
    for obj in objects:
        with transaction.atomic():
            statement = obj.drop(connection.vendor)
            if statement is None:
                continue  # an extension: shared, never dropped
            with connection.cursor() as cursor:
                cursor.execute(statement)
            assert obj in dbobjects.missing(), obj.name
            work = dbobjects.install_all()
            assert any(w.concern == concern and "put back" in w.installed for w in work), obj.name
            assert dbobjects.missing() == [], obj.name
            assert_derived_data_right()


def test_the_repair_commands_put_back_what_went_missing(archive, imda):
    with connection.cursor() as cursor:
        for obj in dbobjects.declared():
            if obj.name.startswith("releases_agencyalias_search") or "_tally_" in obj.name:
                cursor.execute(obj.drop(connection.vendor))
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Put back" in out.getvalue() and "releases_agencyalias_search" in out.getvalue()
    call_command("recount_tags", stdout=out)
    assert dbobjects.missing() == []

    # The alias triggers work again: a new former name is searchable at once.
    AgencyAlias.objects.create(agency=imda, name="Telecommunication Authority", acronym="TAS")
    assert titles("telecommunication") == {"Kingfisher survey begins", "Heron count published"}
    Release.objects.create(
        title="Plover chicks ringed",
        slug="plover",
        published_on=datetime.date(2023, 5, 1),
        body="Ringed.",
        status=Release.Status.PUBLISHED,
    ).agencies.add(imda)
    assert release_counts(Agency) == {"imda": 3}


def test_a_changed_definition_is_installed_afresh_and_its_data_rebuilt(archive):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE releases_dbobjects SET digest = 'old' WHERE concern = 'search'")
        cursor.execute("DELETE FROM releases_searchdocument")
    assert titles("kingfisher") == set()
    work = {w.concern: w for w in dbobjects.install_all()}
    assert work["search"].installed == "definition changed, installed afresh"
    assert "search_totals" in work  # counted from the search documents
    assert set(work) == {"search", "search_totals"}
    assert titles("kingfisher") == {"Kingfisher survey begins"}
    assert_derived_data_right()
    assert dbobjects.install_all() == []  # all in place: nothing to do


def test_migrating_the_app_back_to_zero_leaves_no_derived_object(transactional_db):
    call_command("migrate", "releases", "zero", verbosity=0)
    try:
        with connection.cursor() as cursor:
            leftover = [
                name
                for name in connection.introspection.table_names(cursor)
                if name.startswith("releases_")
            ]
        assert leftover == []
    finally:
        call_command("migrate", "releases", verbosity=0)
    assert dbobjects.missing() == []
