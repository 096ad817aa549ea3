"""A release's revisions: each saved change, field by field (written by releases/revisions.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReleaseRevision(models.Model):
    """One saved change to a release: who, when, how, and each field's old and new text."""

    class Via(models.TextChoices):
        ADMIN = "admin", "Admin form"
        ACTION = "action", "Admin action"
        IMPORT = "import", "Import"

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    saved_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    note = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, help_text="{field: [old, new]}")

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["release", "version"], name="unique_release_version")
        ]

    def __str__(self):
        return f"{self.release} v{self.version}"

    @property
    def author(self) -> str:
        return self.user.get_username() if self.user else self.get_via_display().lower()
