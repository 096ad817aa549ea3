"""A reader's journeys through the archive, clicked through in a real browser."""

from releases.models import Agency, Release

from .pages import SEED_SLUG, follow, visit


def titles(page) -> list[str]:
    return page.locator("main .card__title").all_inner_texts()


def test_home_shows_the_latest_releases_and_ways_to_browse(page):
    visit(page, "home")
    latest = Release.objects.published().order_by("-published_on", "-id")[:8]
    assert titles(page) == [release.title for release in latest]
    assert page.get_by_role("heading", name="By agency").is_visible()
    follow(page, page.get_by_role("link", name="All releases →"))
    assert page.get_by_role("heading", level=1).inner_text() == "Releases"


def test_filter_by_agency_then_year_shows_exactly_those_releases(page):
    imda = Agency.objects.get(slug="imda")
    visit(page, "list")
    page.get_by_label("Agency").select_option(label=imda.name)
    follow(page, page.get_by_role("button", name="Apply"))
    by_imda = Release.objects.published().filter(agencies=imda)
    assert page.locator(".result-count").inner_text().startswith(f"{by_imda.count()} release")
    assert set(titles(page)) == {release.title for release in by_imda[:20]}

    page.get_by_label("Year").fill("2022")
    follow(page, page.get_by_role("button", name="Apply"))
    in_2022 = by_imda.filter(published_on__year=2022)
    assert in_2022.exists()
    assert set(titles(page)) == {release.title for release in in_2022}
    chips = page.locator(".chip").all_inner_texts()
    assert len(chips) == 2 and imda.name in chips[0] and "2022" in chips[1]

    follow(page, page.locator(".chip", has_text="2022"))  # removing a filter widens the list again
    assert set(titles(page)) == {release.title for release in by_imda[:20]}


def test_paging_through_the_list_reaches_every_release_once(page):
    visit(page, "list")
    seen = titles(page)
    while page.get_by_role("link", name="Next →").count():
        follow(page, page.get_by_role("link", name="Next →"))
        seen += titles(page)
    assert "Page 3 of 3" in page.locator(".pagination").inner_text()
    assert sorted(seen) == sorted(Release.objects.published().values_list("title", flat=True))
    follow(page, page.get_by_role("link", name="← Previous"))
    assert "Page 2 of 3" in page.locator(".pagination").inner_text()


def test_open_a_release_and_follow_its_tags(page):
    seed = Release.objects.get(slug=SEED_SLUG)
    visit(page, "list")
    follow(page, page.get_by_role("link", name=seed.title))
    assert page.get_by_role("heading", level=1).inner_text() == seed.title
    assert page.locator(".release__body").inner_text().strip()

    programme = seed.programmes.order_by("name").first()
    follow(page, page.locator(".release__facts").get_by_role("link", name=programme.name))
    assert page.get_by_role("heading", level=1).inner_text().startswith(programme.name)
    assert seed.title in titles(page)

    page.go_back()
    figure = seed.figures.order_by("name").first()
    follow(page, page.locator(".figures").get_by_role("link", name=figure.label))
    assert page.get_by_role("heading", level=1).inner_text().startswith(figure.name)
    assert seed.title in titles(page)
