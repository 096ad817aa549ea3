"""Make N synthetic releases quickly, for benchmarks and load tests.

Word frequencies follow Zipf's law, as in real text: the first words of the
vocabulary appear in nearly every release, words deep in the tail in a
handful. The generator is deterministic for a given --seed and starting
point, so two benchmark runs search the same archive.
"""

import datetime
import html
import itertools
import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from releases.models import (
    Agency,
    Figure,
    Programme,
    Release,
    TaggedAgency,
    TaggedFigure,
    TaggedProgramme,
)

# Content words in rough order of how often a government press release uses them.
COMMON_WORDS = """
digital singapore government development programme industry businesses public national
technology partners support innovation services community economy data new enterprises
workers skills international agreement trade infrastructure research minister cooperation
initiative security growth citizens companies sustainable framework platform regional
investment network projects training scheme launch policy ministry agency announced
committee urban transport energy health education financial resilience talent sector
opportunities collaboration pilot standards capabilities strategy solutions access
environment secure online residents jobs employment productivity markets global local
council region authority commission cities smart climate green carbon emissions water
housing safety cyber privacy protection consumers households seniors youth students
schools libraries hospitals clinics workforce apprenticeships grants funding budget
memorandum understanding signing ceremony delegation visit bilateral partnership
consultation feedback review guidelines regulations licence compliance enforcement
transition adoption transformation connectivity broadband wireless spectrum satellite
logistics shipping port maritime aviation airport customs electronic documents payments
banking insurance fintech startups incubator accelerator venture capital manufacturing
semiconductors robotics automation artificial intelligence analytics cloud computing
software hardware devices sensors laboratories universities scholars scholarship
fellowship award recipients winners competition hackathon conference forum summit
exhibition festival celebration anniversary milestone report survey findings statistics
indicators quarter annual outcomes results progress targets
""".split()  # noqa: SIM905
# Invented syllables give a long tail of rare words that never clash with English.
SYLLABLES = """
ka lo ren dri vos tam bel quin sor mae pul zet hov nar gil ost vey cru fen dax
""".split()  # noqa: SIM905
FUNCTION_WORDS = """
the of and to in for with on by at from as will be has is are this that its
""".split()  # noqa: SIM905
AGENCY_FORMS = ["Authority", "Board", "Agency", "Office", "Council", "Commission"]
AGENCY_TOPICS = [
    "Maritime",
    "Energy Market",
    "Land Transport",
    "Health Promotion",
    "Housing Development",
    "Skills Future",
    "Water Resources",
    "Trade Facilitation",
    "Digital Identity",
    "Urban Renewal",
    "Food Safety",
    "Tourism",
]
PROGRAMME_FORMS = ["Initiative", "Programme", "Scheme", "Roadmap", "Fund"]
FIGURE_LABELS = [
    "MoUs signed",
    "jobs created",
    "projects launched",
    "enterprises supported",
    "grants awarded",
    "trainees placed",
    "partners onboarded",
    "sites opened",
]
KIND_WEIGHTS = {
    Release.Kind.PRESS_RELEASE: 70,
    Release.Kind.FACTSHEET: 15,
    Release.Kind.SPEECH: 10,
    Release.Kind.MEDIA_ADVISORY: 5,
}


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words = list(dict.fromkeys(COMMON_WORDS))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Writer:
    """Zipf-distributed words assembled into titles, sentences and paragraphs."""

    def __init__(self, rng: random.Random, words: list[str], exponent: float = 1.05):
        self.rng = rng
        self.words = words
        self.cum_weights = list(
            itertools.accumulate(1 / (r**exponent) for r in range(1, len(words) + 1))
        )

    def content_words(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum_weights, k=k)

    def sentence(self) -> str:
        length = self.rng.randint(9, 22)
        content = iter(self.content_words(length))
        tokens = [
            self.rng.choice(FUNCTION_WORDS) if self.rng.random() < 0.35 else next(content)
            for _ in range(length)
        ]
        text = " ".join(tokens)
        return text[0].upper() + text[1:] + "."

    def title(self) -> str:
        words = dict.fromkeys(self.content_words(self.rng.randint(5, 10)))
        return " ".join(w.capitalize() for w in words)

    def body(self) -> tuple[str, str]:
        """Markdown and the HTML it renders to (rendering 100,000 bodies would be slow)."""
        markdown, rendered = [], []
        for n in range(self.rng.randint(3, 7)):
            if n and self.rng.random() < 0.15:
                heading = self.title()
                markdown.append(f"## {heading}")
                rendered.append(f"<h2>{html.escape(heading)}</h2>")
            paragraph = " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))
            markdown.append(paragraph)
            rendered.append(f"<p>{html.escape(paragraph)}</p>")
        return "\n\n".join(markdown), "\n".join(rendered)


class Command(BaseCommand):
    help = "Create N synthetic published releases with Zipf-distributed words and realistic tags."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many releases to add.")
        parser.add_argument("--seed", type=int, default=2022, help="Random seed (default 2022).")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, count, seed, batch_size, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        started = time.monotonic()
        rng = random.Random(seed)
        writer = Writer(rng, vocabulary(30_000, rng))
        agencies, programmes, figures = self.tags(rng)
        done = 0
        while done < count:
            size = min(batch_size, count - done)
            self.insert_batch(writer, size, agencies, programmes, figures)
            done += size
            if options["verbosity"] > 1:
                self.stdout.write(f"{done} releases…")
        elapsed = time.monotonic() - started
        self.stdout.write(f"Created {count} releases in {elapsed:.1f} s.")

    def tags(self, rng):
        for topic in AGENCY_TOPICS:
            for form in AGENCY_FORMS[:3]:
                name = f"{topic} {form}"
                acronym = "".join(w[0] for w in name.split()).upper()
                Agency.objects.get_or_create(
                    name=name,
                    defaults={
                        "slug": f"{topic}-{form}".lower().replace(" ", "-"),
                        "acronym": acronym,
                    },
                )
        for topic in AGENCY_TOPICS:
            form = PROGRAMME_FORMS[len(topic) % len(PROGRAMME_FORMS)]
            name = f"{topic} {form}"
            Programme.objects.get_or_create(
                name=name, defaults={"slug": name.lower().replace(" ", "-")}
            )
        for label in FIGURE_LABELS:
            for value in (1, 2, 3, 5, 8, 10, 12, 20, 50, 100, 250, 1000):
                name = f"{value:,} {label}"
                if not Figure.objects.filter(name=name).exists():
                    Figure.objects.create(name=name, value=Decimal(value), label=label)
        agencies = list(Agency.objects.values_list("pk", flat=True))
        programmes = list(Programme.objects.values_list("pk", flat=True))
        figures = list(Figure.objects.values_list("pk", flat=True))
        for ids in (agencies, programmes, figures):
            rng.shuffle(ids)
        return agencies, programmes, figures

    @transaction.atomic
    def insert_batch(self, writer, size, agencies, programmes, figures):
        rng = writer.rng
        today = timezone.localdate()
        first_day = datetime.date(2000, 1, 1).toordinal()
        span = today.toordinal() - first_day
        kinds, kind_weights = zip(*KIND_WEIGHTS.items(), strict=True)
        start = (Release.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        releases, links = [], {TaggedAgency: [], TaggedProgramme: [], TaggedFigure: []}
        for pk in range(start, start + size):
            # More releases in recent years, as archives grow.
            day = first_day + int(span * rng.random() ** 0.6)
            status = Release.Status.DRAFT if rng.random() < 0.02 else Release.Status.PUBLISHED
            if rng.random() < 0.01:
                day = today.toordinal() + rng.randint(1, 60)
            body, body_html = writer.body()
            title = writer.title()
            releases.append(
                Release(
                    pk=pk,
                    title=title,
                    slug=f"generated-{pk}",
                    kind=rng.choices(kinds, kind_weights)[0],
                    published_on=datetime.date.fromordinal(day),
                    summary=" ".join(writer.sentence() for _ in range(rng.randint(1, 2))),
                    body=body,
                    body_html=body_html,
                    source="Synthetic release made by generate_releases; not an official release.",
                    status=status,
                )
            )
            for model, pool, counts in (
                (TaggedAgency, agencies, (1, 1, 1, 2, 2, 3)),
                (TaggedProgramme, programmes, (0, 0, 1, 1, 1, 2)),
                (TaggedFigure, figures, (0, 1, 1, 2, 3)),
            ):
                chosen = {
                    pool[min(int(rng.paretovariate(1.2)) - 1, len(pool) - 1)]
                    for _ in range(rng.choice(counts))
                }
                links[model].extend(model(content_object_id=pk, tag_id=tag) for tag in chosen)
        # Links first: foreign keys are checked at commit, and the search index then
        # reads each release's tags once when the release row arrives, instead of
        # re-indexing the release after every link.
        for model, rows in links.items():
            model.objects.bulk_create(rows)
        Release.objects.bulk_create(releases)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('releases_release', 'id'), %s)",
                    [start + size - 1],
                )
