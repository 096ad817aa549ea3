"""What passes between the stages: a checked record, a problem with one, the summary."""

from dataclasses import dataclass, field

RELEASE_FIELDS = (
    "title", "slug", "kind", "published_on", "summary", "body",
    "source", "source_url", "language", "status",
)  # fmt: skip
TAG_FIELDS = ("agencies", "programmes", "figures")
REQUIRED = ("title", "slug", "published_on", "body")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


@dataclass
class Record:
    path: str
    line: int
    values: dict  # release fields the record gives, as Python values
    tags: dict  # kind -> list of tag names, for the kinds the record gives
    figures: dict  # figure name -> (value, label)
    body_html: str = ""
    read_past: tuple = ()  # keys the record holds that an import does not read (read.py)

    @property
    def slug(self):
        return self.values["slug"]


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_tags: dict = field(default_factory=lambda: dict.fromkeys(TAG_FIELDS, 0))
    # New tags close to existing ones (releases/importing/tags.py), created but named.
    warnings: list = field(default_factory=list)

    def __str__(self):
        tags = ", ".join(f"{count:,} {kind}" for kind, count in self.new_tags.items())
        return (
            f"{self.created:,} created, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged; new tags: {tags}"
        )
