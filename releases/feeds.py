"""Atom feeds of any listing: `/feeds/releases.atom` takes every `/releases/` filter."""

import datetime

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.xmlutils import SimplerXMLGenerator
from django.views import View

from . import versions
from .forms import error_messages
from .listing import FilteredReleasesMixin
from .models import Release
from .text_cleaning import tidy

FEED_LENGTH = 50


class TidyXMLGenerator(SimplerXMLGenerator):
    """Writes text without the control characters XML cannot carry.

    Forms and imports tidy text on the way in (releases.text_cleaning); this covers rows
    that arrived another way (`update()`, `loaddata`, SQL), so no release can stop the feed.
    """

    def characters(self, content):
        super().characters(tidy(content) if content else content)

    def startElement(self, name, attrs):
        super().startElement(name, {key: tidy(value) for key, value in attrs.items()})


class ReleaseAtomFeed(Atom1Feed):
    """Atom with one <author> per issuing agency and categories that name their scheme."""

    def write(self, outfile, encoding):
        # Atom1Feed.write, with the tidying writer.
        handler = TidyXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, uri in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", uri)
            handler.endElement("author")
        for term, scheme, label in item["tags"]:
            attributes = {"term": term, "scheme": scheme, "label": label}
            handler.addQuickElement("category", "", attributes)


def published_at(date: datetime.date) -> datetime.datetime:
    """A release date as the start of that day where the archive is."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


class ReleaseFeedView(FilteredReleasesMixin, View):
    """The newest matching releases, whatever `sort` says: feed readers want new entries."""

    listed_tags = ("agencies", "programmes", "figures")

    def get(self, request):
        form = self.get_filter_form()
        if not form.is_valid():
            message = "Invalid filter: " + " ".join(error_messages(form))
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        query = self.syndication_query().urlencode()
        suffix = f"?{query}" if query else ""
        labels = [label for label, _param, _value in form.applied_filters()]
        title = "Releases" + (f": {', '.join(labels)}" if labels else "")
        feed = ReleaseAtomFeed(
            title=f"{title} · {settings.SITE_NAME}",
            link=request.build_absolute_uri(reverse("releases:list") + suffix),
            feed_url=request.build_absolute_uri(request.path + suffix),
            description=f"New releases in the {settings.SITE_NAME}.",
            author_name=settings.SITE_NAME,
            language=settings.LANGUAGE_CODE,
        )
        listed = list(self.filtered_queryset(sort="newest")[:FEED_LENGTH])
        # Only a release changed in public has versions after its first (`revised_at`).
        changed = [release.pk for release in listed if release.revised_at]
        self.version_times = versions.latest_times(changed) if changed else {}
        for release in listed:
            self.add_entry(feed, release)
        for release in self.withdrawals(listed):
            self.add_withdrawal(feed, release)
        # One string, not feed.write(response): that appends each XML fragment as its
        # own chunk, and the server would send thousands of tiny writes.
        return HttpResponse(
            feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8"
        )

    def withdrawals(self, listed):
        """Withdrawn releases of this listing, withdrawn since the feed's oldest entry.

        So that subscribers learn of a withdrawal while the feed still covers its time.
        A search's feed has none: the search index holds published releases only.
        """
        if self.get_filter_form().search_text:
            return []
        releases = Release.objects.withdrawn().filter_by(**self.get_filters())
        if len(listed) == FEED_LENGTH:
            releases = releases.filter(withdrawn_at__gte=published_at(listed[-1].published_on))
        releases = releases.order_by("-withdrawn_at").for_listing()
        return releases.with_tag_lists(*self.listed_tags)[:FEED_LENGTH]

    def add_withdrawal(self, feed, release):
        """The release's own entry (the same id), updated when it was withdrawn, saying why:
        feed readers show it as a change to the entry they already have."""
        self.add_entry(feed, release)
        withdrawn_on = date_format(timezone.localdate(release.withdrawn_at), "j M Y")
        feed.items[-1].update(
            title=f"Withdrawn: {release.title}",
            description=escape(f"Withdrawn on {withdrawn_on}: {release.withdrawal_reason}"),
            updateddate=release.withdrawn_at,
        )

    def entry_id(self, release):
        """A tag URI on the primary key and creation date: neither changes with the slug."""
        host = split_domain_port(self.request.get_host())[0] or "localhost"
        return f"tag:{host},{release.created_at.date().isoformat()}:release:{release.pk}"

    def add_entry(self, feed, release):
        absolute = self.request.build_absolute_uri
        published = published_at(release.published_on)
        feed.add_item(
            title=release.title,
            link=absolute(release.get_absolute_url()),
            # Atom's summary is typed html, so plain text is escaped once for the HTML layer.
            description=escape(release.summary or release.title),
            unique_id=self.entry_id(release),
            pubdate=published,
            # When its current public version appeared: a save readers cannot see (a
            # tag merge, a draft's edits before publication) is no update to them.
            updateddate=max(self.version_times.get(release.pk, published), published),
            authors=[
                (agency.name, absolute(agency.get_absolute_url()))
                for agency in release.tags_of("agencies")
            ],
            tags=[
                (tag.slug, absolute(reverse(f"{tag.url_name}_index")), tag.name)
                for field in ("agencies", "programmes", "figures")
                for tag in release.tags_of(field)
            ],
        )
