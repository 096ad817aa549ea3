class UnicodeSlugConverter:
    """Slugs as taggit makes them: letters of any script, digits, '-' and '_'."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
