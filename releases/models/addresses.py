"""Addresses a release no longer has: old slugs that redirect, and removed ones (410)."""

from django.db import models
from django.utils import timezone


class ReleaseSlug(models.Model):
    """An address a release used to have; the detail page redirects it to the current one."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="old_slugs"
    )
    slug = models.SlugField(max_length=200, unique=True)
    replaced_at = models.DateTimeField(
        auto_now=True, help_text="When the release moved away from this address."
    )

    class Meta:
        verbose_name = "old slug"
        ordering = ["-replaced_at"]

    def __str__(self):
        return f"{self.slug} → {self.release.slug}"


class RemovedSlug(models.Model):
    """An address of a once-public release that a superuser deleted: it answers 410 Gone.

    Only releases readers could have seen leave one, so no draft's address is revealed.
    """

    slug = models.SlugField(max_length=200, unique=True)
    removed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "removed address"
        ordering = ["-removed_at"]

    def __str__(self):
        return self.slug
