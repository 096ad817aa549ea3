"""Cite this release: APA, Chicago and MLA text, and BibTeX and RIS downloads."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from releases import citations
from releases.models import Agency, AgencyAlias, Release, ReleaseVersion

from .editing import edit

URL = "https://archive.example/releases/singapore-shenzhen-mous/"
ACCESSED = datetime.date(2025, 3, 4)


@pytest.fixture
def two_agencies(release, mci):
    release.agencies.add(mci)
    return release


def text(markup) -> str:
    """What a reader sees and copies."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(markup)))


def test_apa(release):
    assert str(citations.apa(release, URL, ACCESSED)) == (
        "Infocomm Media Development Authority. (2022, December 2). "
        "<i>Singapore and Shenzhen sign eight MoUs</i> [Press release]. Press Release Archive. "
        f"Retrieved March 4, 2025, from {URL}"
    )


def test_chicago_with_two_agencies(two_agencies):
    assert text(citations.chicago(two_agencies, URL, ACCESSED)) == (
        "Infocomm Media Development Authority and Ministry of Communications and Information. "
        "“Singapore and Shenzhen sign eight MoUs.” Press release, December 2, 2022. "
        f"Press Release Archive. Accessed March 4, 2025. {URL}."
    )


def test_mla_shortens_three_authors_to_et_al(two_agencies):
    two_agencies.agencies.add(Agency.objects.create(name="Shenzhen Bureau of Commerce"))
    assert str(citations.mla(two_agencies, URL, ACCESSED)) == (
        "Infocomm Media Development Authority, et al. “Singapore and Shenzhen sign eight MoUs.” "
        f"<i>Press Release Archive</i>, 2 Dec. 2022, {URL}. Accessed 4 Mar. 2025."
    )


def test_apa_puts_a_comma_before_the_ampersand(two_agencies):
    assert text(citations.apa(two_agencies, URL, ACCESSED)).startswith(
        "Infocomm Media Development Authority, & Ministry of Communications and Information. ("
    )


def test_text_citations_escape_html(make_release):
    release = make_release(title="<script>alert(1)</script> & more", kind=Release.Kind.SPEECH)
    markup = str(citations.apa(release, URL, ACCESSED))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in markup
    assert "<script>" not in markup
    assert "[Speech]" in markup


def test_a_release_without_agencies_is_cited_to_its_source(make_release):
    release = make_release(source="Joint statement")
    assert str(citations.chicago(release, URL, ACCESSED)).startswith("Joint statement. “")


def test_detail_page_shows_the_citations_and_downloads(client, release):
    page = client.get(release.get_absolute_url()).content.decode()
    assert "Cite this release" in page
    for style in ("APA", "Chicago", "MLA"):
        assert f"<dt>{style}</dt>" in page
    assert "Retrieved" in page and "http://testserver/releases/singapore-shenzhen-mous/" in page
    assert 'href="/releases/singapore-shenzhen-mous/cite.bib"' in page
    assert 'href="/releases/singapore-shenzhen-mous/cite.ris"' in page


# --- BibTeX ------------------------------------------------------------------------


def balanced(value: str) -> bool:
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def test_bibtex_download(client, release):
    response = client.get("/releases/singapore-shenzhen-mous/cite.bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == ('attachment; filename="singapore-shenzhen-mous.bib"')
    entry = response.content.decode()
    assert entry.startswith("@misc{singapore-shenzhen-mous,\n")
    assert "  author = {{Infocomm Media Development Authority}},\n" in entry
    assert "  title = {{Singapore and Shenzhen sign eight MoUs}},\n" in entry
    assert "  year = {2022},\n  month = dec,\n  date = {2022-12-02},\n" in entry
    assert "  url = {http://testserver/releases/singapore-shenzhen-mous/},\n" in entry
    assert re.search(r"  urldate = \{\d{4}-\d\d-\d\d\},\n", entry)
    assert entry.endswith("}\n") and balanced(entry)


def test_bibtex_escapes_specials_and_keeps_braces_balanced(make_release):
    release = make_release(
        title="R&D {draft} 100% of $5 #1 under_score ^ ~ \\ 中文 Ünïcödé",
        agencies=[Agency.objects.create(name="Ministry of Trade and Industry", slug="mti")],
    )
    entry = citations.bibtex(release, URL, ACCESSED)
    title = re.search(r"  title = (.*),\n", entry).group(1)
    assert title == (
        r"{{R\&D \textbraceleft{}draft\textbraceright{} 100\% of \$5 \#1 under\_score "
        r"\textasciicircum{} \textasciitilde{} \textbackslash{} 中文 Ünïcödé}}"
    )
    # An unmatched brace in a title would end the field early: BibTeX counts "\{" too.
    assert balanced(entry)
    # "and" inside a name must not split it into two authors.
    assert "author = {{Ministry of Trade and Industry}}" in entry


def test_bibtex_keeps_an_unbalanced_title_balanced(make_release):
    release = make_release(title="Closing } before { opening")
    assert balanced(citations.bibtex(release, URL, ACCESSED))


def test_bibtex_flattens_newlines_in_values(make_release):
    release = make_release(title="Two\nlines\r\nhere")
    assert "title = {{Two lines here}}" in citations.bibtex(release, URL, ACCESSED)


# --- RIS ---------------------------------------------------------------------------


def test_ris_download(client, two_agencies):
    response = client.get("/releases/singapore-shenzhen-mous/cite.ris")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert response["Content-Disposition"] == ('attachment; filename="singapore-shenzhen-mous.ris"')
    lines = response.content.decode().split("\r\n")
    assert lines[0] == "TY  - PRESS"
    assert lines[1:3] == [
        "AU  - Infocomm Media Development Authority",
        "AU  - Ministry of Communications and Information",
    ]
    assert "TI  - Singapore and Shenzhen sign eight MoUs" in lines
    assert "DA  - 2022/12/02/" in lines
    assert "UR  - http://testserver/releases/singapore-shenzhen-mous/" in lines
    assert "KW  - Singapore-China (Shenzhen) Smart City Initiative" in lines
    assert any(re.fullmatch(r"Y2  - \d{4}/\d\d/\d\d/", line) for line in lines)
    assert lines[-2:] == ["ER  - ", ""]


def test_ris_values_cannot_start_a_new_tag(make_release):
    release = make_release(
        title="Title\nER  - \r\nTY  - JOUR",
        summary="Summary\u2028with a line separator & 中文 text",
        kind=Release.Kind.SPEECH,
    )
    lines = citations.ris(release, URL, ACCESSED).split("\r\n")
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines[:-1])
    assert "TI  - Title ER - TY - JOUR" in lines
    assert "AB  - Summary with a line separator & 中文 text" in lines
    assert lines[0] == "TY  - GEN"
    assert sum(line.startswith("ER  -") for line in lines) == 1


@pytest.mark.parametrize("suffix", ["cite.bib", "cite.ris"])
def test_citation_files_of_drafts_are_for_staff_only(client, admin_client, make_release, suffix):
    draft = make_release(status=Release.Status.DRAFT)
    assert client.get(f"/releases/{draft.slug}/{suffix}").status_code == 404
    assert admin_client.get(f"/releases/{draft.slug}/{suffix}").status_code == 200
    assert client.get(f"/releases/no-such-release/{suffix}").status_code == 404


# --- As issued, and versions --------------------------------------------------------


@pytest.fixture
def renamed(release, imda):
    """IMDA went by its former name on the release's date (2 Dec 2022)."""
    AgencyAlias.objects.create(
        agency=imda,
        name="Infocomm Development Authority",
        acronym="IDA",
        valid_from=datetime.date(1999, 12, 1),
        valid_until=datetime.date(2022, 12, 31),
    )
    return release


def test_every_style_names_the_agency_as_it_was_named_on_the_release_date(renamed):
    for cite in (citations.apa, citations.chicago, citations.mla):
        cited = text(cite(renamed, URL, ACCESSED))
        assert cited.startswith("Infocomm Development Authority. "), cite.__name__
        assert "Media" not in cited
    assert "  author = {{Infocomm Development Authority}},\n" in (
        citations.bibtex(renamed, URL, ACCESSED)
    )
    assert "AU  - Infocomm Development Authority\r\n" in citations.ris(renamed, URL, ACCESSED)


def test_a_release_after_the_rename_is_cited_to_the_new_name(renamed, make_release, imda):
    later = make_release(published_on=datetime.date(2023, 2, 1), agencies=[imda])
    assert text(citations.apa(later, URL, ACCESSED)).startswith(
        "Infocomm Media Development Authority. ("
    )


def test_the_page_and_its_files_cite_the_name_as_issued(client, renamed):
    page = client.get(renamed.get_absolute_url()).content.decode()
    box = page[page.index('id="cite-heading"') :]
    assert "Infocomm Development Authority. (2022, December 2)." in box
    entry = client.get("/releases/singapore-shenzhen-mous/cite.bib").content.decode()
    assert "author = {{Infocomm Development Authority}}" in entry
    ris = client.get("/releases/singapore-shenzhen-mous/cite.ris").content.decode()
    assert "AU  - Infocomm Development Authority\r\n" in ris


@pytest.fixture
def second_version(release):
    """Version 2 of the release: corrected on 5 Dec 2022."""
    corrected_at = timezone.make_aware(datetime.datetime(2022, 12, 5, 10))
    edit(release, kind="correction", at=corrected_at, title="Singapore and Shenzhen sign 8 MoUs")
    return ReleaseVersion.objects.get(number=2)


V2_URL = "https://archive.example/releases/singapore-shenzhen-mous/v/2/"


def test_a_version_is_cited_with_its_number_and_date(second_version, release):
    release = Release.objects.get()
    apa = text(citations.apa(release, V2_URL, ACCESSED, second_version))
    assert "Singapore and Shenzhen sign 8 MoUs (Version 2, corrected December 5, 2022) " in apa
    assert apa.endswith(f"from {V2_URL}")
    chicago = text(citations.chicago(release, V2_URL, ACCESSED, second_version))
    assert "“Singapore and Shenzhen sign 8 MoUs.” Version 2, corrected December 5, 2022. " in (
        chicago
    )
    mla = text(citations.mla(release, V2_URL, ACCESSED, second_version))
    assert "“Singapore and Shenzhen sign 8 MoUs.” Version 2, corrected 5 Dec. 2022. " in mla
    entry = citations.bibtex(release, V2_URL, ACCESSED, second_version)
    assert entry.startswith("@misc{singapore-shenzhen-mous:v2,\n")
    assert "  version = {2},\n" in entry
    assert "  note = {Version 2, corrected 5 December 2022. Accessed 4 March 2025}" in entry
    lines = citations.ris(release, V2_URL, ACCESSED, second_version).split("\r\n")
    assert "ET  - Version 2, corrected 5 December 2022" in lines
    assert f"UR  - {V2_URL}" in lines


def test_version_1_is_cited_as_issued(second_version, release):
    first = ReleaseVersion.objects.get(number=1)
    apa = text(citations.apa(Release.objects.get(), URL, ACCESSED, first))
    assert "Singapore and Shenzhen sign eight MoUs (Version 1, issued December 2, 2022)" in apa


def test_a_version_page_cites_that_version_at_its_own_address(client, second_version):
    page = client.get("/releases/singapore-shenzhen-mous/v/1/").content.decode()
    box = page[page.index('id="cite-heading"') :]
    assert "Cite this version" in box
    assert "(Version 1, issued December 2, 2022)" in box
    assert "http://testserver/releases/singapore-shenzhen-mous/v/1/" in box
    assert 'href="/releases/singapore-shenzhen-mous/v/1/cite.bib"' in box
    response = client.get("/releases/singapore-shenzhen-mous/v/1/cite.ris")
    assert response["Content-Disposition"] == (
        'attachment; filename="singapore-shenzhen-mous-v1.ris"'
    )
    lines = response.content.decode().split("\r\n")
    assert "TI  - Singapore and Shenzhen sign eight MoUs" in lines
    assert "UR  - http://testserver/releases/singapore-shenzhen-mous/v/1/" in lines
    assert "ET  - Version 1, issued 2 December 2022" in lines
