"""Reading an admin form back as the browser would send it, for tests that save through it."""

import re
from html import unescape

from django.urls import reverse


def attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\s{name}(?:="([^"]*)")?', tag)
    return None if found is None else unescape(found[1] or "")


def form_values(html: str) -> dict:
    """What submitting the page's form sends: inputs, ticked boxes, chosen radios, texts."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, kind = attribute(tag, "name"), attribute(tag, "type") or "text"
        if not name or kind in {"file", "submit", "button"}:
            continue
        if kind in {"checkbox", "radio"} and attribute(tag, "checked") is None:
            continue
        values[name] = attribute(tag, "value") or ("on" if kind == "checkbox" else "")
    for name, text in re.findall(r'<textarea[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = unescape(text).removeprefix("\n")
    for name, options in re.findall(r'<select[^>]*name="([^"]*)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        values[name] = unescape(chosen[1]) if chosen else ""
    return values


def change_url(release) -> str:
    return reverse("admin:releases_release_change", args=[release.pk])


def change_page_values(client, release) -> dict:
    return form_values(client.get(change_url(release)).content.decode())


def form_data(release, **changes):
    """What the change form posts for `release` as loaded, with some fields edited."""
    data = {
        "title": release.title,
        "slug": release.slug,
        "kind": release.kind,
        "summary": release.summary,
        "body": release.body,
        "agencies": ", ".join(a.name for a in release.agencies.all()),
        "programmes": ", ".join(p.name for p in release.programmes.all()),
        "figures": ", ".join(f.name for f in release.figures.all()),
        "status": release.status,
        "published_on": release.published_on.isoformat(),
        "language": release.language,
        "correction_note": release.correction_note,
        "source": release.source,
        "source_url": release.source_url,
        "hero_image_alt": release.hero_image_alt,
        "version": release.version,
        # The editor's answer to "This change is", used only when the form asks it.
        "change_kind": "correction",
    }
    data.update(changes)
    return data
