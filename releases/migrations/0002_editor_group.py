"""Create the "editor" group: releases and tags, never users or groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_MODELS = {
    "release": ("add", "change", "delete", "view"),
    "agency": ("add", "change", "delete", "view"),
    "agencyalias": ("add", "change", "delete", "view"),
    "programme": ("add", "change", "delete", "view"),
    "figure": ("add", "change", "delete", "view"),
    "agencyredirect": ("view",),
    "programmeredirect": ("view",),
    "figureredirect": ("view",),
    "releaserevision": ("view",),
}


def create_editor_group(apps, schema_editor):
    # Permissions are normally made after all migrations run; make them now.
    app_config = apps.get_app_config("releases")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model, actions in EDITOR_MODELS.items() for action in actions]
    group, _ = Group.objects.get_or_create(name="editor")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="releases", codename__in=codenames)
    )


def remove_editor_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="editor").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("releases", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editor_group, remove_editor_group)]
