class UnicodeSlugConverter:
    """Slugs as taggit makes them: letters of any script, digits, '-' and '_'."""

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class VersionNumberConverter:
    """A version number: 1 to 999,999,999, no leading zero. Anything else (0, -1, 01,
    a number too large for the database's integers, a word) matches no address: 404."""

    regex = r"[1-9][0-9]{0,8}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
