from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from taggit.models import Tag

from . import revisions, tag_merging
from .admin_forms import (
    TAG_MODELS,
    FigureAdminForm,
    MergeTagsForm,
    ReleaseAdminForm,
    ThrottledAdminAuthenticationForm,
    shorten,
)
from .models import (
    Agency,
    AgencyAlias,
    AgencyRedirect,
    Figure,
    FigureRedirect,
    Programme,
    ProgrammeRedirect,
    Release,
    ReleaseRevision,
    ReleaseVersion,
    changes_between,
)
from .withdrawal_admin import WithdrawalAdmin

admin.site.login_form = ThrottledAdminAuthenticationForm
# taggit's generic Tag model is unused here (each kind has its own); keep it out of sight.
admin.site.unregister(Tag)


class YearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            Release.objects.annotate(year=ExtractYear("published_on"))
            .values_list("year", flat=True)
            .distinct()
            .order_by("-year")
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(published_on__year=int(self.value()))
        return queryset


@admin.register(Release)
class ReleaseAdmin(WithdrawalAdmin, admin.ModelAdmin):
    form = ReleaseAdminForm
    list_display = ["title", "published_on", "kind", "state", "agency_names"]
    list_filter = ["status", "kind", YearFilter, "agencies", "programmes"]
    search_fields = ["title", "slug", "summary"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["revised_at"]
    list_per_page = 50
    actions = ["publish", "unpublish", "withdraw", "reinstate", "delete_selected"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        ("Content", {"fields": ["title", "slug", "kind", "summary", "body"]}),
        ("Tags", {"fields": ["agencies", "programmes", "figures"]}),
        (
            "Publication",
            {
                "fields": [
                    "status",
                    "published_on",
                    "language",
                    "correction_note",
                    "revised_at",
                    "version",
                ],
                "description": "A published release dated in the future stays hidden "
                "until that day, then appears without anyone acting.",
            },
        ),
        (
            "Image",
            {
                "fields": [
                    "hero_image",
                    "hero_image_alt",
                    "hero_image_caption",
                    "hero_image_credit",
                ],
                "classes": ["collapse"],
            },
        ),
        ("Source", {"fields": ["source", "source_url"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body", "body_html").prefetch_related("agencies")

    def get_fieldsets(self, request, obj=None):
        """A public release's form asks what kind of change a visible edit is."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.is_public:
            return fieldsets
        change = (
            "Kind of change",
            {
                "fields": ["change_kind"],
                "description": "This release is public: readers will see a change to its "
                "text, tags or note as a new version, listed on its page.",
            },
        )
        return [fieldsets[0], change, *fieldsets[1:]]

    @admin.display(description="agencies")
    def agency_names(self, release):
        return ", ".join(agency.acronym or agency.name for agency in release.agencies.all())

    @admin.display(description="state", ordering="status")
    def state(self, release):
        if release.status == Release.Status.DRAFT:
            return "Draft"
        if release.is_withdrawn and release.withdrawn_at:
            return f"Withdrawn on {date_format(timezone.localdate(release.withdrawn_at))}"
        if release.is_withdrawn:
            return "Withdrawn"
        if release.is_public:
            return "Published"
        return f"Scheduled for {date_format(release.published_on)}"

    # --- Saving: versions, history and "Updated on" ---------------------------------

    def save_model(self, request, obj, form, change):
        # A save that changes nothing stored is not a new version: no revision, no
        # "Updated on", and no clash with a colleague's edit. Django's own test,
        # form.has_changed(), sees the browser's \r\n line endings as an edit.
        if change:
            form.changed_data = self.effective_changes(form, obj)
        if not change or form.changed_data:
            obj.save()

    def effective_changes(self, form, release) -> list[str]:
        """The form fields whose cleaned value differs from what is stored.

        Compared as snapshots (text cleaned as it is stored, tags as the names the form
        resolved them to), so the admin log, too, names only what really changed.
        """
        # The form's tags are saved later (save_related): until then the release has its old ones.
        pending = {
            **release.snapshot(),
            **{
                field: ", ".join(sorted(form.cleaned_data[field]))
                for field in Release.TAG_FIELDS
                if field in form.cleaned_data
            },
        }
        tracked = set(changes_between(form.before, pending))
        untracked = set(form.changed_data) - set(Release.TRACKED_FIELDS)
        return [field for field in form.fields if field in tracked or field in untracked]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        release = form.instance
        was_public = (
            form.before.get("status") == Release.Status.PUBLISHED
            and form.before.get("published_on", "9999") <= timezone.localdate().isoformat()
        )
        change = revisions.Change(
            release_id=release.pk,
            version=release.version,
            changes=changes_between(form.before, release.snapshot()),
            was_public=was_public,
            is_public=release.is_public,
            kind=form.cleaned_data.get("change_kind", ""),
        )
        saved_at = timezone.now()
        if revisions.record(
            [change], via=ReleaseRevision.Via.ADMIN, user=request.user, saved_at=saved_at
        ):
            release.revised_at = saved_at

    # --- Preview ------------------------------------------------------------------------

    def response_add(self, request, obj, post_url_continue=None):
        if "_preview" in request.POST:
            return HttpResponseRedirect(obj.get_absolute_url())
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_preview" in request.POST:
            return HttpResponseRedirect(obj.get_absolute_url())
        return super().response_change(request, obj)

    # --- Actions ------------------------------------------------------------------------

    @admin.action(description="Publish selected releases", permissions=["change"])
    def publish(self, request, queryset):
        changed = self.set_status(request, queryset, Release.Status.PUBLISHED)
        scheduled = Release.objects.filter(pk__in=changed, published_on__gt=timezone.localdate())
        message = f"Published {len(changed)} release{'s' if len(changed) != 1 else ''}."
        if scheduled:
            message += (
                f" {len(scheduled)} of them {'is' if len(scheduled) == 1 else 'are'} dated in "
                "the future and will appear on that date."
            )
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description="Unpublish selected releases (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        changed = self.set_status(request, queryset, Release.Status.DRAFT)
        self.message_user(
            request,
            f"Returned {len(changed)} release{'s' if len(changed) != 1 else ''} to draft.",
            messages.SUCCESS,
        )

    def set_status(self, request, queryset, status) -> list[int]:
        """Change status in bulk, bumping versions and writing history; return changed ids."""
        with transaction.atomic():
            rows = list(
                Release.objects.select_for_update()
                .filter(pk__in=queryset.values("pk"))
                .exclude(status=status)
                .exclude(status=Release.Status.WITHDRAWN)  # reinstating is the way back
                .values_list("pk", "version", "status", "published_on")
            )
            ids = [pk for pk, *_ in rows]
            Release.objects.filter(pk__in=ids).update(
                status=status, version=F("version") + 1, updated_at=timezone.now()
            )
            today = timezone.localdate()
            published = Release.Status.PUBLISHED
            revisions.record(
                (
                    revisions.Change(
                        release_id=pk,
                        version=version + 1,
                        changes={"status": [old, status]},
                        was_public=old == published and day <= today,
                        is_public=status == published and day <= today,
                    )
                    for pk, version, old, day in rows
                ),
                via=ReleaseRevision.Via.ACTION,
                user=request.user,
            )
            label = Release.Status(status).label.lower()
            LogEntry.objects.log_actions(
                request.user.pk,
                Release.objects.filter(pk__in=ids).only("title"),
                CHANGE,
                change_message=f"Set to {label} with a list action.",
            )
        return ids

    # --- History ------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        release = self.get_object(request, unquote(object_id))
        revisions = []
        if release is not None:
            made = versions_made_by_saves(release)
            for revision in release.revisions.select_related("user"):
                rows = [
                    (Release._meta.get_field(field).verbose_name, shorten(old), shorten(new))
                    for field, (old, new) in revision.changes.items()
                ]
                revisions.append((revision, rows, made.get(revision.saved_at)))
        context = {
            "revisions": revisions,
            "versions_readable": release is not None
            and (release.is_public or release.is_withdrawn),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, extra_context=context)

    # --- Tag suggestions for the tag fields ------------------------------------------

    def get_urls(self):
        suggestions = path(
            "tag-suggestions/<str:kind>/",
            self.admin_site.admin_view(self.tag_suggestions),
            name="releases_release_tag_suggestions",
        )
        return [suggestions, *super().get_urls()]

    def tag_suggestions(self, request, kind):
        """Existing tags of one kind whose name, slug, acronym or former name contains q."""
        model = TAG_MODELS.get(kind)
        if model is None:
            raise Http404("No such kind of tag.")
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
        if not query:
            return JsonResponse({"results": []})
        match = Q(name__icontains=query) | Q(slug__icontains=query)
        if model is Agency:
            match |= Q(acronym__icontains=query) | Q(aliases__name__icontains=query)
        tags = model.objects.filter(match).distinct().order_by("name")[:15]
        return JsonResponse(
            {"results": [{"name": tag.name, "label": tag.display_name} for tag in tags]}
        )


def versions_made_by_saves(release) -> dict:
    """{when saved: the public version that save made}, for the release's history.

    `revisions.record` gives a change's revision and the version it makes the same time.
    Version 1 as issued is made by no save: it is dated from the release's own day.
    """
    kept = release.versions.exclude(kind=ReleaseVersion.Kind.ISSUED).defer("body", "body_html")
    made = list(kept)
    for version in made:
        version.release = release
    return {version.published_at: version for version in made}


# --- Tags -----------------------------------------------------------------------------


class RedirectInline(admin.TabularInline):
    """Old addresses of a tag, kept by merges and renames; shown, not edited."""

    fields = ["old_slug"]
    readonly_fields = ["old_slug"]
    extra = 0
    can_delete = False
    verbose_name = "old address"
    verbose_name_plural = "old addresses (redirect here)"

    def has_add_permission(self, request, obj=None):
        return False


class AgencyRedirectInline(RedirectInline):
    model = AgencyRedirect


class ProgrammeRedirectInline(RedirectInline):
    model = ProgrammeRedirect


class FigureRedirectInline(RedirectInline):
    model = FigureRedirect


class AgencyAliasInline(admin.TabularInline):
    model = AgencyAlias
    extra = 1
    fields = ["name", "acronym", "valid_from", "valid_until"]


class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "release_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_tags"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(release_count=Count("items"))

    @admin.display(description="releases", ordering="release_count")
    def release_count(self, tag):
        return tag.release_count

    @admin.action(
        description="Merge selected %(verbose_name_plural)s into one",
        permissions=["change", "delete"],
    )
    def merge_tags(self, request, queryset):
        tags = (
            self.model.objects.filter(pk__in=queryset.values("pk"))
            .with_release_counts()
            .order_by("-release_count", "name")
        )
        if len(tags) < 2:
            self.message_user(request, "Select at least two to merge.", messages.WARNING)
            return None
        form = MergeTagsForm(request.POST if "apply" in request.POST else None, tags=tags)
        if form.is_valid():
            survivor = form.cleaned_data["survivor"]
            names = [tag.name for tag in tags if tag.pk != survivor.pk]
            tag_merging.merge(tags, survivor, user=request.user)
            self.log_change(request, survivor, f"Merged into this: {', '.join(names)}.")
            self.message_user(
                request,
                f"Merged {len(names)} into “{survivor.name}”; their releases and "
                "old addresses now lead here.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Merge {self.model._meta.verbose_name_plural}",
            "opts": self.model._meta,
            "form": form,
            "tags": tags,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/releases/merge_tags.html", context)


@admin.register(Agency)
class AgencyAdmin(TagAdmin):
    list_display = ["name", "acronym", "slug", "release_count"]
    search_fields = ["name", "acronym", "slug", "aliases__name"]
    inlines = [AgencyAliasInline, AgencyRedirectInline]


@admin.register(Programme)
class ProgrammeAdmin(TagAdmin):
    inlines = [ProgrammeRedirectInline]


@admin.register(Figure)
class FigureAdmin(TagAdmin):
    form = FigureAdminForm
    list_display = ["name", "value", "label", "slug", "release_count"]
    fields = ["name", "value", "label", "slug"]
    inlines = [FigureRedirectInline]


# --- Users: superusers only -----------------------------------------------------------


class SuperusersOnly:
    """Editors are staff, but only superusers may see or change accounts and groups."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class SuperuserOnlyUserAdmin(SuperusersOnly, UserAdmin):
    pass


@admin.register(Group)
class SuperuserOnlyGroupAdmin(SuperusersOnly, GroupAdmin):
    pass
