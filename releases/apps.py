from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


def step_aside_for_migrations(sender, using, plan=None, **kwargs):
    """Before this app's migrations run, take the derived objects' triggers and views away."""
    from . import dbobjects

    if any(migration.app_label == sender.label for migration, _backwards in plan or ()):
        dbobjects.step_aside(using)


def install_derived_objects(sender, using, verbosity=1, stdout=None, **kwargs):
    """After every migrate (and flush), put every derived object back; rebuild what they derive."""
    from . import dbobjects

    for work in dbobjects.install_all(using):
        if verbosity >= 1 and stdout is not None:
            stdout.write(f"  Derived objects, {work}")


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Press releases"

    def ready(self):
        pre_migrate.connect(step_aside_for_migrations, sender=self)
        post_migrate.connect(install_derived_objects, sender=self)
