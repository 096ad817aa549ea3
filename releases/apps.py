from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def reinstall_triggers(sender, using, **kwargs):
    """Put back triggers that SQLite dropped while a migration rebuilt a table."""
    from .triggers import STATE_TABLE, install_state_triggers

    connection = connections[using]
    if STATE_TABLE in connection.introspection.table_names():
        install_state_triggers(connection)


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Press releases"

    def ready(self):
        post_migrate.connect(reinstall_triggers, sender=self)
