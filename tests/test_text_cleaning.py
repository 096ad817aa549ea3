"""Text as it is stored (releases/text_cleaning.py): what cleaning changes, and what it keeps."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from releases.markup import render_markdown
from releases.models import Release, ReleaseRevision
from releases.text_cleaning import tidy, tidy_line, tidy_name


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("First\rSecond\r\rThird", "First\nSecond\n\nThird"),
        ("One\r\nTwo\nThree\rFour\r\n\r\nFive", "One\nTwo\nThree\nFour\n\nFive"),
        ("Line\u2028break\u2029Paragraph", "Line\nbreak\n\nParagraph"),
        ("Page one.\x0cPage two.\x07", "Page one.\nPage two."),
    ],
)
def test_every_line_ending_is_stored_as_a_line_feed(typed, stored):
    assert tidy(typed) == stored


def test_a_body_of_only_carriage_returns_is_empty():
    assert tidy("\r") == ""
    assert tidy("\r\r\n\r") == ""


def test_a_zero_width_space_no_longer_splits_a_word():
    assert tidy("Shen\u200bzhen and \ufeffSingapore\u2060") == "Shenzhen and Singapore"


def test_joiners_stay_where_they_join_and_go_where_they_join_nothing():
    persian = "می\u200cخواهم"  # ZWNJ inside a Persian word
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji, joined
    assert tidy(persian) == persian
    assert tidy(family) == family
    assert tidy("\u200dword \u200c end\u200d") == "word  end"


def test_a_bidi_override_cannot_reverse_a_title():
    assert tidy_line("\u202eEvil title\u202c") == "Evil title"
    assert tidy_line("Isolated \u2067عربي\u2069 word") == "Isolated عربي word"
    assert tidy("Body \u202dtext\u202c") == "Body text"


def test_directional_marks_are_kept():
    assert tidy("Room 12\u200f B") == "Room 12\u200f B"


def test_decomposed_letters_are_stored_composed():
    assert tidy("Caf" + "e\u0301") == "Caf\u00e9"
    assert tidy_line("Ren" + "e\u0301e") == "Ren\u00e9e"


def test_cjk_compatibility_ideographs_keep_their_glyph():
    text = "\uf900 and cafe\u0301"
    assert tidy(text) == "\uf900 and caf\u00e9"


def test_trailing_spaces_go_but_a_markdown_hard_break_stays():
    body = "Line one   \nLine two \t\n   \nLast  \t  \n\n"
    assert tidy(body) == "Line one  \nLine two\n\nLast"
    assert "<br" in render_markdown(tidy("Line one  \nLine two"))


def test_leading_and_trailing_whitespace_goes_as_the_admin_form_strips_it():
    assert tidy("\n\n  Body.  \r\n") == "Body."


@pytest.mark.parametrize(
    "text",
    [
        "新加坡与深圳签署八项谅解备忘录，推动智慧城市合作。\n\n第二段。",
        "## Highlights\n\n- one\n- two\n  - nested\n\n1. first\n2. second",
        "Code:\n\n```python\ndef f():\n    return 1\n```\n\n    indented code\n\tand a tab",
        "Quotes “curly” and 'straight', em — dash, café, naïve, Ångström",
        "Plain",
    ],
)
def test_text_that_needs_no_cleaning_is_kept_exactly(text):
    assert tidy(text) == text


def test_one_line_fields_turn_line_breaks_into_spaces():
    assert tidy_line("Pasted\x0btitle\x1b") == "Pasted title"
    assert tidy_line("Two\r\n  lines ") == "Two lines"


def test_tag_names_get_the_one_line_cleaning():
    assert (
        tidy_name("  Cyber\u200b Security \u202eAgency\r\n(CSA) ") == "Cyber Security Agency (CSA)"
    )
    assert tidy_name('The "Smart Nation" Initiative; phase 2, part 1') == (
        'The "Smart Nation" Initiative; phase 2, part 1'
    )


def test_cleaning_twice_changes_nothing_more():
    messy = " \u200bOne \r\n\u202eTwo  \rThree\u200d \x0c e\u0301 "
    assert tidy(tidy(messy)) == tidy(messy)
    assert tidy_line(tidy_line(messy)) == tidy_line(messy)


# --- The importer cleans as the admin does ----------------------------------------------


def import_lines(tmp_path, *records):
    path = tmp_path / "releases.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    call_command("import_releases", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def messy_record(**fields):
    return {
        "title": "\u202eSmart city\u200b MoUs ",
        "slug": "smart-city-mous",
        "published_on": "2022-12-02",
        "summary": "First line.\r\nSecond line.\u200b\r",
        "body": "## Highlights\r\rEight MoUs, Cafe\u0301.  \r\nNext line.\r\n",
        "agencies": ["Cyber\u200b Security \u202eAgency "],
        "figures": ["8 MoUs\u200b signed", {"label": "joint\u200b projects", "value": 14}],
        **fields,
    }


def test_an_import_stores_text_cleaned(db, tmp_path):
    import_lines(tmp_path, messy_record())
    release = Release.objects.get()
    assert release.title == "Smart city MoUs"
    assert release.summary == "First line.\nSecond line."
    assert release.body == "## Highlights\n\nEight MoUs, Caf\u00e9.  \nNext line."
    assert [a.name for a in release.agencies.all()] == ["Cyber Security Agency"]
    assert sorted(f.name for f in release.figures.all()) == ["14 joint projects", "8 MoUs signed"]


def test_importing_the_same_text_written_differently_changes_nothing(db, tmp_path):
    import_lines(tmp_path, messy_record())
    tidy_record = messy_record(
        title="Smart city MoUs",
        summary="First line.\nSecond line.",
        body="## Highlights\n\nEight MoUs, Caf\u00e9.  \nNext line.",
        agencies=["Cyber Security Agency"],
    )
    import_lines(tmp_path, tidy_record)
    assert Release.objects.get().version == 1
    assert not ReleaseRevision.objects.exists()


def test_a_body_of_only_invisible_characters_is_missing(db, tmp_path):
    path = tmp_path / "releases.jsonl"
    path.write_text(json.dumps(messy_record(body="\r\u200b\r\n")) + "\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_releases", str(path), stdout=io.StringIO(), stderr=err)
    assert "releases.jsonl:1: body: is required" in err.getvalue()
    assert not Release.objects.exists()
