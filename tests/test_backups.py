"""Backup and restore round-trip, on whichever database the suite runs on."""

import io

import pytest
from django.core.management import CommandError, call_command

from releases.models import Release


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_data_back(make_release, tmp_path):
    kept = make_release(title="Kept in the backup")
    backup = tmp_path / "archive.backup"
    out = io.StringIO()
    call_command("backup_database", str(backup), stdout=out)
    assert "Backed up to" in out.getvalue()
    assert backup.stat().st_size > 0

    Release.objects.all().delete()
    make_release(title="Written after the backup")
    call_command("restore_database", str(backup), stdout=out)

    assert list(Release.objects.values_list("title", flat=True)) == [kept.title]


def test_restore_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore_database", str(tmp_path / "nothing"))
