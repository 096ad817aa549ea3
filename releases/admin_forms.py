"""Forms behind the staff admin: the release form, figures, tag merging, login."""

import hashlib

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from taggit.utils import edit_string_for_tags

from . import versions
from .models import (
    Agency,
    Figure,
    Programme,
    Release,
    ReleaseRevision,
    format_number,
    parse_figure,
)
from .tag_matching import TagMatcher, any_of
from .tagging import join_names
from .text_cleaning import tidy, tidy_line

TAG_MODELS = {"agencies": Agency, "programmes": Programme, "figures": Figure}
TAG_NAME_MAX = Agency._meta.get_field("name").max_length


class TagNamesInput(forms.TextInput):
    """A comma-separated tag field that suggests existing tags of its kind as you type.

    Without JavaScript it is a plain text field; the form still matches what is
    typed to existing tags, so suggestions are a convenience, not the safeguard.
    """

    def __init__(self, kind, attrs=None):
        self.kind = kind
        super().__init__({"class": "vLargeTextField", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        # taggit hands over tag objects; show them as the text staff would type.
        if value is not None and not isinstance(value, str):
            return edit_string_for_tags(value)
        return value

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id', name)}-suggestions"
        attrs = {
            **(attrs or {}),
            "list": list_id,
            "data-suggest-url": reverse("admin:releases_release_tag_suggestions", args=[self.kind]),
        }
        html = super().render(name, value, attrs, renderer)
        return html + format_html('<datalist id="{}"></datalist>', list_id)

    class Media:
        js = ["js/admin_tag_suggestions.js"]


def near_duplicate_key(field: str, name: str) -> str:
    """The form input that answers "Did you mean …?" for one typed name."""
    digest = hashlib.sha256(name.casefold().encode()).hexdigest()[:12]
    return f"{field}-meant-{digest}"


def near_duplicate_question(field: str, name: str, near: list[str]) -> str:
    """ "Did you mean “X”?" with a choice of each suggestion (the first chosen) or a new tag."""
    kind = TAG_MODELS[field]._meta.verbose_name
    key = near_duplicate_key(field, name)
    options = format_html_join(
        "",
        '<li><label><input type="radio" name="{}" value="{}"{}> Use “{}”</label></li>',
        ((key, other, " checked" if n == 0 else "", other) for n, other in enumerate(near)),
    )
    return format_html(
        'Did you mean {}? Choose, then save again:<ul class="near-duplicate">{}'
        '<li><label><input type="radio" name="{}" value=""> Create a new {} “{}”</label></li>'
        "</ul>",
        any_of(near),
        options,
        key,
        kind,
        name,
    )


def shorten(text: str, chars: int = 160) -> str:
    return Truncator(" ".join(str(text).split())).chars(chars) or "(empty)"


def release_formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ChangeKindField(forms.ChoiceField):
    """The editor's answer about this save, not a value of the release: choosing it
    alone is no change to save."""

    def has_changed(self, initial, data):
        return False


class ReleaseAdminForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Shown for public releases only (ReleaseAdmin.get_fieldsets); see check_change_kind.
    change_kind = ChangeKindField(
        label="This change is",
        choices=versions.CHANGE_KINDS,
        widget=forms.RadioSelect,
        required=False,
        help_text="Needed when readers will see what you changed: each such change is kept "
        "as a new version of the release. Only a correction shows its note in red.",
    )

    class Meta:
        model = Release
        fields = [*Release.TRACKED_FIELDS, "version"]
        formfield_callback = release_formfield
        widgets = {kind: TagNamesInput(kind) for kind in TAG_MODELS}
        help_texts = {
            "agencies": "Separate with commas. Existing agencies match by name, acronym or "
            "former name in any case, so “imda” links the agency already there.",
            "programmes": "Separate with commas. Existing programmes match in any case.",
            "figures": "A number then what it counts, e.g. “8 MoUs signed”, comma-separated.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What the release looked like when this request began, for its history.
        self.before = self.instance.snapshot() if self.instance.pk else {}

    def clean_version(self):
        version = self.cleaned_data.get("version")
        return self.instance.version if version is None and not self.instance.pk else version

    def _clean_tags(self, field):
        names = [" ".join(tidy(name).split()) for name in self.cleaned_data.get(field) or []]
        names = [name for name in names if name]
        too_long = [name for name in names if len(name) > TAG_NAME_MAX]
        if too_long:
            raise forms.ValidationError(
                f"“{shorten(too_long[0], 40)}” is longer than {TAG_NAME_MAX} characters."
            )
        found = TAG_MODELS[field].objects.resolve(names)
        names = [found[name].name if name in found else name for name in names]
        names = self.ask_about_near_duplicates(field, [n for n in names if n not in found], names)
        return sorted(set(names))

    def ask_about_near_duplicates(self, field, new, names) -> list[str]:
        """The names, with each new one close to an existing tag replaced as the editor chose.

        A new name close to an existing tag (releases/tag_matching.py) is refused with the
        question "Did you mean …?" and a choice: the suggestion, ready chosen so that saving
        again takes it, or the new tag as typed. The field's text is rewritten to what was
        chosen, so the form shows what will be saved.
        """
        model = TAG_MODELS[field]
        matcher = TagMatcher.for_tags(model.objects.all(), names=new) if new else None
        chosen, questions = {}, []
        for name in new:
            near = matcher.near(name)
            if not near:
                continue
            answer = self.data.get(near_duplicate_key(field, name))  # "" is "create it"
            if answer not in ("", *near):
                questions.append(near_duplicate_question(field, name, near))
            elif answer:
                chosen[name] = answer
        if questions:
            raise forms.ValidationError(questions)
        if chosen:
            names = [chosen.get(name, name) for name in names]
            self.data = self.data.copy()
            self.data[self.add_prefix(field)] = join_names(names)
        return names

    def clean_agencies(self):
        return self._clean_tags("agencies")

    def clean_programmes(self):
        return self._clean_tags("programmes")

    def clean_figures(self):
        names = self._clean_tags("figures")
        known = {figure.name for figure in Figure.objects.filter(name__in=names)}
        unparsed = [name for name in names if name not in known and parse_figure(name) is None]
        if unparsed:
            raise forms.ValidationError(
                f"“{shorten(unparsed[0], 60)}” needs a number first and then what it counts, "
                "like “8 MoUs signed”."
            )
        return names

    def clean(self):
        cleaned = super().clean()
        for field, value in cleaned.items():
            # Text pasted from a word processor (releases.text_cleaning).
            if isinstance(value, str):
                lines = isinstance(self.fields[field].widget, forms.Textarea)
                cleaned[field] = tidy(value) if lines else tidy_line(value)
        if self.instance.pk:
            self.check_version(cleaned.get("version"))
            self.check_not_withdrawn(cleaned)
        self.check_change_kind(cleaned)
        return cleaned

    def check_not_withdrawn(self, cleaned):
        """A withdrawn release's page shows it as it was withdrawn: its words stay so."""
        if self.instance.is_withdrawn and versions.edited(self.instance, cleaned):
            self.add_error(
                None,
                "Not saved: this release is withdrawn, and readers see it as it was "
                "withdrawn. Reinstate it first (Reinstate…, above) to change what it says. "
                "Your edits are still in the form.",
            )

    def check_change_kind(self, cleaned):
        """A change readers will see needs its kind; any other change has none."""
        if not versions.asks_kind(self.instance, cleaned):
            cleaned["change_kind"] = ""
        elif not cleaned.get("change_kind"):
            self.add_error(
                "change_kind",
                "Readers will see this change: say whether it is a correction (an error "
                "fixed) or an update (news added).",
            )

    def check_version(self, loaded):
        """Refuse the save if someone else saved since this form was opened."""
        # The admin wraps the whole request in a transaction, so the row stays locked
        # (PostgreSQL) or the database stays reserved (SQLite) until this save commits.
        current = (
            Release.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is None or loaded == current:
            return
        revisions = list(
            ReleaseRevision.objects.filter(release=self.instance, version__gt=loaded or 0)
            .select_related("user")
            .order_by("version")
        )
        combined = {}
        for revision in revisions:
            for field, (old, new) in revision.changes.items():
                combined.setdefault(field, [old, new])[1] = new
        authors = ", ".join(dict.fromkeys(revision.author for revision in revisions)) or (
            "someone outside the admin"
        )
        messages = [
            f"Not saved: {authors} saved this release after you opened it "
            f"(it is now version {current}; you started from version {loaded}). "
            "Nothing they wrote has been overwritten. Your edits are still in the form: "
            "open the release again in a new tab, bring your changes across, and save there."
        ]
        for field, (old, new) in combined.items():
            label = Release._meta.get_field(field).verbose_name.capitalize()
            messages.append(f"{label}: “{shorten(old)}” → “{shorten(new)}”")
            if field in self.fields and field not in self._errors:
                self.add_error(field, f"Changed meanwhile to “{shorten(new)}”.")
        if len(revisions) < current - (loaded or 0):
            messages.append("Some of the changes were made outside the admin and are not listed.")
        self.add_error(None, forms.ValidationError(messages))


class FigureAdminForm(forms.ModelForm):
    """A figure typed as "8 MoUs signed" is split into its value and label."""

    class Meta:
        model = Figure
        fields = ["name", "value", "label", "slug"]
        help_texts = {
            "name": "As readers see it, e.g. “8 MoUs signed”. Leave value and label empty "
            "to have them read from this.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("value", "label", "slug", "name"):
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("name") or "").strip()
        value, label = cleaned.get("value"), (cleaned.get("label") or "").strip()
        if value is None and not label:
            parsed = parse_figure(name) if name else None
            if parsed is None:
                raise forms.ValidationError(
                    "Give a value and a label, or a name that starts with the number, "
                    "like “8 MoUs signed”."
                )
            cleaned["value"], cleaned["label"] = parsed
        elif value is None or not label:
            raise forms.ValidationError("A figure needs both a value and a label.")
        if not name:
            cleaned["name"] = f"{format_number(cleaned['value'])} {cleaned['label']}"
        if not cleaned.get("slug"):
            cleaned["slug"] = Figure().slugify(cleaned["name"])
        return cleaned


class MergeTagsForm(forms.Form):
    """Choose which of the selected tags survives a merge."""

    survivor = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        label="Keep",
        help_text="The others are folded into it: their releases move across and their "
        "addresses redirect to it.",
    )

    def __init__(self, *args, tags: models.QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = tags


# --- Login throttling ----------------------------------------------------------------

LOGIN_FAILURE_LIMIT = 5  # per username and address
ADDRESS_FAILURE_LIMIT = 20  # per address, whatever the username
LOGIN_LOCKOUT_SECONDS = 15 * 60


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin login, refusing further tries after repeated failures.

    Counts live in Django's cache, so every app server sees the same counts
    when the cache is shared (REDIS_URL); each window starts at the first failure.
    """

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": "Too many failed attempts to log in. Wait 15 minutes and try again.",
    }

    def failure_keys(self) -> list[tuple[str, int]]:
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        username = (self.data.get("username") or "").strip().lower()[:150]
        return [
            (f"admin-login:{address}:{username}", LOGIN_FAILURE_LIMIT),
            (f"admin-login:{address}", ADDRESS_FAILURE_LIMIT),
        ]

    def clean(self):
        keys = self.failure_keys()
        if any(cache.get(key, 0) >= limit for key, limit in keys):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            for key, _ in keys:
                cache.add(key, 0, LOGIN_LOCKOUT_SECONDS)
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.set(key, 1, LOGIN_LOCKOUT_SECONDS)
            raise
        cache.delete(keys[0][0])
        return cleaned
