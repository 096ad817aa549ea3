"""Rows the database's triggers keep (releases/dbobjects/), read by the site and never
written by Django: the data version that pages and caches are keyed on, and the counts
of published releases per tag.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ArchiveState(models.Model):
    """One row whose version database triggers bump on any change to public data.

    Triggers (not signals) so that bulk imports, `update()` and `loaddata`
    count too; ETags and the page cache are keyed on it.
    """

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="archive_state_single_row")]

    def __str__(self):
        return f"version {self.version} at {self.changed_at:%Y-%m-%d %H:%M:%S}"


class Tally(models.Model):
    """How many releases with published status carry a tag, or the archive holds.

    Kept by database triggers and never written by Django (releases/dbobjects/tallies.py).
    A tag's row has `kind` agency, programme or figure and its id; the archive's
    own row has kind ARCHIVE and tag id 0.
    """

    ARCHIVE = "archive"

    kind = models.CharField(max_length=10)
    tag_id = models.BigIntegerField()
    published = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "tag_id"], name="one_tally_per_tag")]

    def __str__(self):
        return f"{self.kind} {self.tag_id}: {self.published}"
