from releases.markup import render_markdown


def test_markdown_features_survive_sanitising():
    html = render_markdown(
        "## Heading\n\n- one\n- two\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    for fragment in ("<h2>Heading</h2>", "<li>one</li>", "<blockquote>", "<table>", "<td>1</td>"):
        assert fragment in html


def test_event_handlers_styles_and_iframes_are_removed():
    html = render_markdown(
        '<img src=x onerror="alert(1)"> <iframe src="https://evil.example"></iframe>'
        ' <p style="color:red">styled</p>'
    )
    assert "onerror" not in html
    assert "<iframe" not in html
    assert "style=" not in html


def test_links_get_safe_rel():
    html = render_markdown("[site](https://example.org)")
    assert 'href="https://example.org"' in html
    assert "noopener" in html


def test_table_alignment_is_the_only_style_kept():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n")
    assert '<td style="text-align:left">1</td>' in html.replace(": ", ":")
    html = render_markdown('<td style="position:fixed;text-align:right">x</td>')
    assert "position" not in html


def test_lists_definitions_and_strikethrough():
    html = render_markdown("Intro\n- one\n- two\n\nTerm\n: Meaning\n\n~~old~~")
    assert "<li>one</li>" in html
    assert "<dt>Term</dt>" in html
    assert "<del>old</del>" in html
