import datetime
from decimal import Decimal

import pytest

from releases.models import Agency, Figure, Release, parse_figure


def test_published_hides_drafts_and_future_releases(make_release, tomorrow):
    public = make_release()
    make_release(status=Release.Status.DRAFT)
    make_release(published_on=tomorrow)

    assert list(Release.objects.published()) == [public]


def test_release_published_today_is_public(make_release):
    release = make_release(published_on=datetime.date.today())
    assert release.is_public
    assert Release.objects.published().filter(pk=release.pk).exists()


def test_body_is_rendered_to_sanitised_html_on_save(make_release):
    release = make_release(
        body="Hello **world**\n\n<script>alert('x')</script>\n\n[link](javascript:alert(1))"
    )
    assert "<strong>world</strong>" in release.body_html
    assert "<script" not in release.body_html
    assert "javascript:" not in release.body_html


def test_body_html_follows_body_edits(release):
    release.body = "A *new* text."
    release.save()
    release.refresh_from_db()
    assert release.body_html == "<p>A <em>new</em> text.</p>"


def test_figure_typed_as_text_gets_value_and_label(release):
    release.figures.add("10,000+ enterprises in the network")
    figure = Figure.objects.get(label="enterprises in the network")
    assert figure.value == Decimal("10000")
    assert figure.name == "10,000+ enterprises in the network"


def test_figure_built_from_value_and_label_gets_a_name(db):
    figure = Figure.objects.create(value=Decimal("2.5"), label="million dollars committed")
    assert figure.name == "2.5 million dollars committed"
    assert figure.slug == "25-million-dollars-committed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8 MoUs signed", (Decimal(8), "MoUs signed")),
        ("1,200 companies", (Decimal(1200), "companies")),
        ("2.5 billion", (Decimal("2.5"), "billion")),
        ("MoUs signed", None),
        ("8", None),
    ],
)
def test_parse_figure(text, expected):
    assert parse_figure(text) == expected


def test_tags_use_their_slug_as_natural_key(imda):
    assert imda.natural_key() == ["imda"]
    assert Agency.objects.get_by_natural_key("imda") == imda


def test_tag_counts_only_published_releases(make_release, imda):
    make_release(agencies=[imda])
    make_release(agencies=[imda], status=Release.Status.DRAFT)
    assert Agency.objects.with_release_counts().get().release_count == 1


def test_agency_tags_are_case_insensitive(release, imda):
    release.agencies.add("infocomm media development authority")
    assert Agency.objects.count() == 1


def test_with_tags_prefetches_all_kinds(release, django_assert_num_queries):
    with django_assert_num_queries(4):
        loaded = Release.objects.with_tags().get(pk=release.pk)
        assert [a.slug for a in loaded.agencies.all()] == ["imda"]
        assert loaded.programmes.all()[0].slug == "smart-city-initiative"
        assert loaded.figures.all()[0].label == "MoUs signed"


def test_previous_and_next_follow_publication_date(make_release):
    first = make_release(published_on=datetime.date(2020, 1, 1))
    second = make_release(published_on=datetime.date(2021, 1, 1))
    third = make_release(published_on=datetime.date(2021, 1, 1))
    published = Release.objects.published()
    assert published.before(third).first() == second
    assert published.before(second).first() == first
    assert published.after(first).first() == second
    assert published.after(third).first() is None


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("8 MoUs signed", ["8 MoUs signed"]),
        ("10,000+ enterprises, 8 MoUs signed", ["10,000+ enterprises", "8 MoUs signed"]),
        ("IMDA; MCI", ["IMDA", "MCI"]),
        ('"Trade, Industry", MCI', ["MCI", "Trade, Industry"]),
        ("", []),
    ],
)
def test_tag_fields_split_on_commas_not_spaces(text, names):
    from releases.tagging import edit_string, parse_tags

    assert parse_tags(text) == names
    assert parse_tags(edit_string(Agency(name=n) for n in names)) == names
