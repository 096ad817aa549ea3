"""Merging duplicate tags of one kind into one: the staff's fix for "IMDA" and
"Infocomm Media Development Authority" having become two agencies.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import revisions
from .models import Release, ReleaseRevision
from .search.batches import indexed_at_end


def merge(tags, survivor, *, user=None) -> int:
    """Fold `tags` into `survivor`: releases keep every link, old slugs redirect.

    Each release that carried a merged tag gets a new version and a revision naming
    its tags before and after (by `user`), so its history shows the change and an
    editor's open form cannot save over it. Returns how many tags were folded in.
    """
    model = tags.model
    through = model.through_model()
    redirects = model.redirect_model()
    losers = list(tags.exclude(pk=survivor.pk))
    loser_ids = [tag.pk for tag in losers]
    if not losers:
        return 0
    # One batch: each release is re-indexed once, not for its new link and again for
    # each link the tag's deletion removes.
    with transaction.atomic(), indexed_at_end():
        release_ids = (
            through.objects.filter(tag_id__in=loser_ids)
            .values_list("content_object_id", flat=True)
            .distinct()
        )
        versions = dict(
            Release.objects.select_for_update()
            .filter(pk__in=release_ids)
            .values_list("pk", "version")
        )
        before = {pk: [] for pk in versions}
        for pk, name in through.objects.filter(content_object_id__in=list(versions)).values_list(
            "content_object_id", "tag__name"
        ):
            before[pk].append(name)
        through.objects.bulk_create(
            [through(content_object_id=pk, tag_id=survivor.pk) for pk in versions],
            ignore_conflicts=True,
        )
        redirects.objects.filter(tag_id__in=loser_ids).update(tag=survivor)
        slugs = [tag.slug for tag in losers]
        redirects.objects.filter(old_slug__in=slugs).delete()  # stale, shadowed until now
        redirects.objects.bulk_create([redirects(old_slug=s, tag=survivor) for s in slugs])
        survivor.absorb(losers)
        model.objects.filter(pk__in=loser_ids).delete()
        record(model, before, versions, losers, survivor, user)
    return len(losers)


def record(model, before, versions, losers, survivor, user):
    """A new version and revision for each release whose tags the merge changed.

    Housekeeping, not a correction: the public page does not say "Updated on".
    """
    field = next(f for f, link in Release.tag_links().items() if link is model.through_model())
    merged = {tag.name for tag in losers}
    Release.objects.filter(pk__in=list(versions)).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    note = f"Merged {', '.join(tag.name for tag in losers)} into {survivor.name}."
    revisions.record(
        (
            revisions.Change(
                release_id=pk,
                version=versions[pk] + 1,
                note=note,
                changes={
                    field: [
                        ", ".join(sorted(old)),
                        ", ".join(sorted({survivor.name if n in merged else n for n in old})),
                    ]
                },
            )
            for pk, old in before.items()
        ),
        via=ReleaseRevision.Via.ACTION,
        user=user,
        housekeeping=True,
    )
