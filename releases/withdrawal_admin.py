"""The admin's side of withdrawal: the withdraw and reinstate pages, and who may delete.

`ReleaseAdmin` (releases/admin.py) takes this mixin first among its bases. Withdrawing
asks for the reason on a page of its own, reached from the list (an action) or from the
release's change page; reinstating is confirmed the same way. Each page carries the
version of every release it shows, so a change made meanwhile is reported, not undone.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import withdrawal
from .models import Release
from .slug_urls import slug_url


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        max_length=withdrawal.REASON_MAX,
        widget=forms.TextInput(attrs={"class": "vTextField", "size": 80}),
        help_text="Readers see it at the top of the page: “Withdrawn on <date>: <reason>”. "
        "One line, e.g. “issued in error” or “superseded by the release of 9 January”.",
    )

    def clean_reason(self):
        try:
            return withdrawal.clean_reason(self.cleaned_data["reason"])
        except withdrawal.Refused as refused:
            raise forms.ValidationError(refused.messages) from None


def plural(count: int, word: str = "release") -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


class WithdrawalAdmin:
    """Withdraw and reinstate actions and pages; deletion refused for once-public releases."""

    # --- The status field: withdrawal goes through its own page --------------------------

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            # Withdrawn needs a reason and a date: only the withdraw page sets it.
            kwargs["choices"] = [
                (value, label)
                for value, label in db_field.choices
                if value != Release.Status.WITHDRAWN
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_withdrawn:
            # Reinstating is the way back, so that it is recorded as such.
            fields += ["status", "withdrawn_at", "withdrawal_reason"]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.is_withdrawn:
            return fieldsets
        withdrawn = ("Withdrawn", {"fields": ["withdrawn_at", "withdrawal_reason"]})
        return [withdrawn, *fieldsets]

    # --- Actions and pages ---------------------------------------------------------------

    @admin.action(description="Withdraw selected releases (with a reason)", permissions=["change"])
    def withdraw(self, request, queryset):
        return self.withdrawal_page(request, queryset, withdrawal.WITHDRAW)

    @admin.action(description="Reinstate selected withdrawn releases", permissions=["change"])
    def reinstate(self, request, queryset):
        return self.withdrawal_page(request, queryset, withdrawal.REINSTATE)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        pages = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(view),
                name=f"{info[0]}_{info[1]}_{name}",
            )
            for name, view in (("withdraw", self.withdraw_view), ("reinstate", self.reinstate_view))
        ]
        return [*pages, *super().get_urls()]

    def withdraw_view(self, request, object_id):
        return self.single_release_page(request, object_id, withdrawal.WITHDRAW)

    def reinstate_view(self, request, object_id):
        return self.single_release_page(request, object_id, withdrawal.REINSTATE)

    def single_release_page(self, request, object_id, step):
        """The withdraw or reinstate page of one release, from its change page."""
        release = self.get_object(request, unquote(object_id))
        if release is None:
            raise Http404("No release has that id.")
        if not self.has_change_permission(request, release):
            raise PermissionDenied
        queryset = Release.objects.filter(pk=release.pk)
        response = self.withdrawal_page(request, queryset, step)
        change_url = reverse("admin:releases_release_change", args=[release.pk])
        return response or HttpResponseRedirect(change_url)

    def withdrawal_page(self, request, queryset, step):
        """Ask (the reason, for a withdrawal), then apply; None when done or nothing to do."""
        releases = list(queryset.order_by("-published_on", "-id"))
        eligible = [release for release in releases if step.applies_to(release)]
        if not eligible:
            self.message_user(
                request,
                " ".join(step.refusal(release) for release in releases[:5]) or "Nothing selected.",
                messages.WARNING,
            )
            return None
        applying = request.method == "POST" and "apply" in request.POST
        form = WithdrawForm(request.POST if applying else None)
        if applying and (step is withdrawal.REINSTATE or form.is_valid()):
            sent = withdrawal.opened_versions(request.POST.getlist("opened"))
            # A release the page sent no version for counts as changed since (version 0).
            opened = {release.pk: sent.get(release.pk, 0) for release in eligible}
            try:
                done = self.apply_step(request, step, opened, form)
            except withdrawal.Refused as refused:
                form.add_error(None, refused.messages)
            else:
                self.message_user(request, self.done_message(step, done), messages.SUCCESS)
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{'Withdraw' if step is withdrawal.WITHDRAW else 'Reinstate'} "
            f"{plural(len(eligible))}",
            "opts": self.opts,
            "form": form,
            "step": step,
            "releases": eligible,
            "left_alone": [release for release in releases if release not in eligible],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "action_name": "withdraw" if step is withdrawal.WITHDRAW else "reinstate",
        }
        return TemplateResponse(request, "admin/releases/withdraw.html", context)

    def apply_step(self, request, step, opened, form) -> list[Release]:
        if step is withdrawal.WITHDRAW:
            reason = form.cleaned_data["reason"]
            done = withdrawal.withdraw(opened, reason, user=request.user)
            message = f"Withdrawn: {reason}"
        else:
            done = withdrawal.reinstate(opened, user=request.user)
            message = "Reinstated: public again."
        LogEntry.objects.log_actions(
            request.user.pk,
            Release.objects.filter(pk__in=[release.pk for release in done]).only("title"),
            CHANGE,
            change_message=message,
        )
        return done

    def done_message(self, step, done) -> str:
        if step is withdrawal.WITHDRAW:
            return (
                f"Withdrew {plural(len(done))}. Their pages stay, greyed, with the reason; "
                "they have left lists, search and counts, and the feed says they were withdrawn."
            )
        return f"Reinstated {plural(len(done))}: public again, as they were."

    # --- Deleting: refused for what readers have seen --------------------------------------

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is None or request.user.is_superuser:
            return allowed
        return allowed and not Release.objects.filter(pk=obj.pk).once_public().exists()

    @admin.action(description="Delete selected releases", permissions=["delete"])
    def delete_selected(self, request, queryset):
        kept = queryset.once_public()
        if not request.user.is_superuser and kept.exists():
            count = kept.count()
            self.message_user(
                request,
                f"Nothing deleted: {plural(count)} of those selected "
                f"{'has' if count == 1 else 'have'} been public, and a public release is "
                "kept as issued. Withdraw it instead (its page stays, with your reason); "
                "only a superuser can delete it.",
                messages.ERROR,
            )
            return None
        response = admin_actions.delete_selected(self, request, queryset)
        if isinstance(response, TemplateResponse):
            response.context_data["breakage"] = breakage(kept)
        return response

    def render_delete_form(self, request, context):
        release = context["object"]
        context["breakage"] = breakage(Release.objects.filter(pk=release.pk).once_public())
        return super().render_delete_form(request, context)

    def delete_model(self, request, obj):
        withdrawal.leave_addresses(Release.objects.filter(pk=obj.pk))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        withdrawal.leave_addresses(queryset)
        super().delete_queryset(request, queryset)


def breakage(releases) -> list[dict]:
    """What deleting each once-public release breaks, for the confirmation page."""
    return [
        {
            "release": release,
            "addresses": [
                slug_url("releases:detail", slug) for slug in withdrawal.addresses(release)
            ],
            "withdraw_url": reverse("admin:releases_release_withdraw", args=[release.pk])
            if release.is_public
            else "",
        }
        for release in releases.prefetch_related("old_slugs")
    ]
