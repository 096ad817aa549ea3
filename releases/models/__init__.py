"""The archive's models: releases (release.py), their revisions (revision.py), public
versions (versions.py) and old addresses (addresses.py), their three tag kinds (tags.py),
and the rows the database's triggers keep (tracking.py)."""

from .addresses import ReleaseSlug, RemovedSlug
from .release import Release, ReleaseQuerySet, changes_between
from .revision import ReleaseRevision
from .tags import (
    Agency,
    AgencyAlias,
    AgencyRedirect,
    Figure,
    FigureRedirect,
    Programme,
    ProgrammeRedirect,
    ReleaseTag,
    ReleaseTagLink,
    TaggedAgency,
    TaggedFigure,
    TaggedProgramme,
    TagRedirect,
    format_number,
    parse_figure,
    published_items,
    published_via,
)
from .tracking import ArchiveState, Tally
from .versions import KeptTag, ReleaseVersion

__all__ = [
    "Agency",
    "AgencyAlias",
    "AgencyRedirect",
    "ArchiveState",
    "Figure",
    "FigureRedirect",
    "KeptTag",
    "Programme",
    "ProgrammeRedirect",
    "Release",
    "ReleaseQuerySet",
    "ReleaseRevision",
    "ReleaseSlug",
    "ReleaseTag",
    "ReleaseTagLink",
    "ReleaseVersion",
    "RemovedSlug",
    "TagRedirect",
    "TaggedAgency",
    "TaggedFigure",
    "TaggedProgramme",
    "Tally",
    "changes_between",
    "format_number",
    "parse_figure",
    "published_items",
    "published_via",
]
