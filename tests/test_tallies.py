"""Counts of published releases (each tag's, the archive's), kept by triggers.

The triggers are declared in releases/dbobjects/tallies.py.

Every test compares the kept count with one counted from the links the slow
way, after the data changed by one of the ways it can arrive.
"""

import datetime
import io
import json
import random
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from releases.models import (
    Agency,
    Figure,
    Programme,
    Release,
    TaggedAgency,
    TaggedProgramme,
    published_items,
)

TAG_MODELS = (Agency, Programme, Figure)


def kept(model) -> dict:
    return {tag.slug: tag.release_count for tag in model.objects.with_release_counts()}


def counted(model) -> dict:
    """The same counts from every link and its release (what the tally replaces)."""
    tags = model.objects.annotate(release_count=Count("items", filter=published_items()))
    return {tag.slug: tag.release_count for tag in tags}


def assert_counts_right():
    for model in TAG_MODELS:
        assert kept(model) == counted(model), model.__name__
    assert Release.objects.public_total() == Release.objects.published().count()


def test_counts_follow_releases_through_their_life(make_release, imda, mci, smart_city):
    release = make_release(agencies=[imda], programmes=[smart_city], figures=["8 MoUs signed"])
    draft = make_release(agencies=[imda], status=Release.Status.DRAFT)
    assert kept(Agency) == {"imda": 1, "mci": 0}
    assert kept(Figure) == {"8-mous-signed": 1}

    draft.status = Release.Status.PUBLISHED
    draft.save()
    assert kept(Agency)["imda"] == 2

    Release.objects.filter(pk=draft.pk).update(status=Release.Status.DRAFT)
    assert kept(Agency)["imda"] == 1

    release.agencies.remove(imda)
    release.agencies.add(mci)
    assert kept(Agency) == {"imda": 0, "mci": 1}

    assert Release.objects.public_total() == 1
    release.delete()
    assert Release.objects.public_total() == 0
    assert kept(Agency) == {"imda": 0, "mci": 0}
    assert kept(Programme) == {"smart-city-initiative": 0}
    assert_counts_right()


def test_counts_follow_links_moved_by_update(make_release, imda, mci, smart_city, tradetrust):
    first = make_release(agencies=[imda], programmes=[smart_city])
    second = make_release(agencies=[imda])
    draft = make_release(status=Release.Status.DRAFT)
    # What merging one tag into another does to the links.
    TaggedAgency.objects.filter(tag=imda).update(tag=mci)
    assert kept(Agency) == {"imda": 0, "mci": 2}
    # A link moved to a release that is not published stops counting.
    TaggedProgramme.objects.filter(content_object=first).update(content_object=draft)
    assert kept(Programme) == {"smart-city-initiative": 0, "tradetrust": 0}
    TaggedProgramme.objects.update(content_object=second, tag=tradetrust)
    assert kept(Programme) == {"smart-city-initiative": 0, "tradetrust": 1}
    assert_counts_right()


@pytest.mark.django_db(transaction=True)
def test_links_written_before_their_releases_count_once(imda, smart_city):
    # loaddata and the generator write links first; the foreign keys are checked at commit.
    with transaction.atomic():
        links = [TaggedAgency(content_object_id=900 + n, tag=imda) for n in range(3)] + [
            TaggedProgramme(content_object_id=900, tag=smart_city)
        ]
        TaggedAgency.objects.bulk_create(links[:3])
        TaggedProgramme.objects.bulk_create(links[3:])
        Release.objects.bulk_create(
            Release(
                id=900 + n,
                title=f"Bulk {n}",
                slug=f"bulk-{n}",
                published_on=datetime.date(2024, 1, 1),
                status=Release.Status.DRAFT if n == 2 else Release.Status.PUBLISHED,
            )
            for n in range(3)
        )
    assert kept(Agency) == {"imda": 2}
    assert kept(Programme) == {"smart-city-initiative": 1}
    assert Release.objects.public_total() == 2
    with transaction.atomic():
        # Releases deleted before their links (foreign keys checked at commit).
        Release.objects.filter(pk__in=[900, 902]).delete()
    assert kept(Agency) == {"imda": 1}
    assert_counts_right()


def test_loaddata_counts_the_fixtures(db):
    call_command("loaddata", *sorted(map(str, Path("fixtures").glob("*.json"))), verbosity=0)
    assert sum(kept(Agency).values()) > 0
    assert_counts_right()


def test_imports_keep_the_counts(tmp_path, imda, mci, smart_city):
    def imported(*records):
        path = tmp_path / "releases.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
        call_command("import_releases", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    def record(n, **fields):
        return {
            "title": f"Imported {n}",
            "slug": f"imported-{n}",
            "published_on": "2021-03-04",
            "summary": "Summary.",
            "body": "Body.",
            "agencies": ["imda"],
            "programmes": ["smart-city-initiative"],
            **fields,
        }

    imported(record(1), record(2, agencies=["imda", "mci"]), record(3, status="draft"))
    assert kept(Agency) == {"imda": 2, "mci": 1}
    # Again, with tags swapped, one release withdrawn to a draft and the draft published.
    imported(record(1, agencies=["mci"]), record(2, status="draft"), record(3, status="published"))
    assert kept(Agency) == {"imda": 1, "mci": 1}
    assert kept(Programme) == {"smart-city-initiative": 2}
    assert_counts_right()


def test_a_release_scheduled_for_later_counts_from_its_day(
    make_release, imda, mci, tomorrow, monkeypatch
):
    make_release(agencies=[imda])
    make_release(agencies=[imda, mci], published_on=tomorrow)
    assert kept(Agency) == {"imda": 1, "mci": 0}
    assert [tag.slug for tag in Agency.objects.in_use()] == ["imda"]
    assert Release.objects.public_total() == 1

    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
    assert kept(Agency) == {"imda": 2, "mci": 1}
    assert counted(Agency) == {"imda": 2, "mci": 1}
    assert Release.objects.public_total() == 2


def test_counts_stay_right_through_random_changes(make_release, imda, mci, smart_city, tradetrust):
    rng = random.Random(2026)
    agencies, programmes = [imda, mci], [smart_city, tradetrust]
    statuses = list(Release.Status)
    releases = []
    for _ in range(60):
        action = rng.choice(["create", "create", "status", "tag", "untag", "delete", "bulk"])
        if action == "create" or not releases:
            releases.append(
                make_release(
                    agencies=rng.sample(agencies, rng.randint(0, 2)),
                    programmes=rng.sample(programmes, rng.randint(0, 2)),
                    figures=[f"{rng.randint(1, 4)} projects"] if rng.random() < 0.5 else [],
                    status=rng.choice(statuses),
                )
            )
        elif action == "status":
            release = rng.choice(releases)
            release.status = rng.choice(statuses)
            release.save()
        elif action == "tag":
            rng.choice(releases).agencies.add(rng.choice(agencies))
        elif action == "untag":
            rng.choice(releases).programmes.clear()
        elif action == "delete":
            releases.pop(rng.randrange(len(releases))).delete()
        else:
            Release.objects.filter(pk__in=[r.pk for r in releases[::2]]).update(
                status=rng.choice(statuses)
            )
        assert_counts_right()


def test_recount_tags_repairs_the_tallies_and_says_how_many_were_wrong(make_release, imda, mci):
    make_release(agencies=[imda, mci])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE releases_tally SET published = 99 WHERE tag_id = %s", [imda.pk])
        cursor.execute("UPDATE releases_tally SET published = 99 WHERE kind = %s", ["archive"])
    assert kept(Agency) == {"imda": 99, "mci": 1}
    out = io.StringIO()
    call_command("recount_tags", stdout=out)
    assert kept(Agency) == {"imda": 1, "mci": 1}
    assert Release.objects.public_total() == 1
    assert out.getvalue().strip() == "Recounted 2 tags and the archive's total; 2 were wrong."
