"""JSON fixtures, checked record by record so that a bad one is named.

Django's own JSON deserializer reports a bad record as "(releases.release:pk=None)"
when natural keys are used, and loads a record with a missing title as an empty
title. This one (installed as the "json" format by SERIALIZATION_MODULES) says
which record and which field, for example

    record 7 (releases.release “budget-2024”): published_on: “2024-02-30” is not a date

and refuses records that lack a required field, name a tag that does not exist,
or hold a value the model would not accept. `loaddata` runs in one transaction,
so an error leaves the database as it was.
"""

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.serializers import base
from django.core.serializers.json import Deserializer as JSONDeserializer
from django.core.serializers.json import Serializer
from django.db import DatabaseError

from .markup import render_markdown

__all__ = ["Deserializer", "Serializer"]


def describe(number: int, obj) -> str:
    """ "record 3 (releases.release “some-slug”)", from what the record itself says."""
    if not isinstance(obj, dict):
        return f"record {number}"
    fields = obj.get("fields") if isinstance(obj.get("fields"), dict) else {}
    key = fields.get("slug") or fields.get("name") or obj.get("pk")
    if key is None and "content_object" in fields:
        key = f"{fields.get('content_object')} → {fields.get('tag')}"
    return f"record {number} ({obj.get('model', '?')}{f' “{key}”' if key is not None else ''})"


def is_required(field) -> bool:
    if field.primary_key or field.null or field.has_default() or field.many_to_many:
        return False
    # Raw loading skips auto_now, so those need a value in the fixture too.
    return (
        not field.blank
        or getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
    )


def reference_problem(field, value) -> str | None:
    """Why a foreign key value names nothing, or None if it names something."""
    related = field.related_model
    try:
        if isinstance(value, list) and hasattr(related._default_manager, "get_by_natural_key"):
            related._default_manager.db_manager().get_by_natural_key(*value)
        elif value is not None and not related._default_manager.filter(pk=value).exists():
            raise related.DoesNotExist
    except (ObjectDoesNotExist, TypeError, ValueError, ValidationError):
        return f"no {related._meta.verbose_name} {value!r}"
    return None


def record_problems(model, fields: dict) -> list[str]:
    problems = []
    for name, value in fields.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # Django's deserializer reports unknown fields itself
        if field.many_to_one and not field.null:
            problem = reference_problem(field, value)
            if problem:
                problems.append(f"{name}: {problem}")
        elif not field.is_relation:
            try:
                field.to_python(value)
            except ValidationError as error:
                problems.append(f"{name}: {' '.join(error.messages)}")
    for field in model._meta.concrete_fields:
        if field.name not in fields and is_required(field):
            problems.append(f"{field.name}: is missing")
    return problems


def invalid_values(instance, fields: dict) -> list[str]:
    """What the model's own validation says about the values the record gives."""
    given = {name for name in fields if name in {f.name for f in instance._meta.concrete_fields}}
    skip = [f.name for f in instance._meta.concrete_fields if f.name not in given or f.is_relation]
    try:
        instance.clean_fields(exclude=skip)
    except ValidationError as error:
        return [f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()]
    return []


class NamedObject(base.DeserializedObject):
    """A deserialized record that names itself when saving it fails."""

    def __init__(self, item, where):
        super().__init__(item.object, item.m2m_data, item.deferred_fields)
        self.where = where

    def save(self, *args, **kwargs):
        try:
            super().save(*args, **kwargs)
        except (DatabaseError, ValueError) as error:
            error.args = (f"{self.where}: {error}",)
            raise

    def save_deferred_fields(self, using=None):
        try:
            super().save_deferred_fields(using=using)
        except ObjectDoesNotExist:
            names = ", ".join(field.name for field in self.deferred_fields)
            raise base.DeserializationError(
                f"{self.where}: {names}: names an object that does not exist"
            ) from None


class Deserializer(JSONDeserializer):
    def __iter__(self):
        for number, obj in enumerate(self.stream, 1):
            where = describe(number, obj)
            try:
                if not isinstance(obj, dict) or not isinstance(obj.get("fields", {}), dict):
                    raise base.DeserializationError("must be an object with model and fields")
                model = self._get_model_from_node(obj.get("model"))
                fields = obj.get("fields", {})
                problems = record_problems(model, fields)
                if problems:
                    raise base.DeserializationError("; ".join(problems))
                for item in self._handle_object(obj):
                    problems = invalid_values(item.object, fields)
                    if problems:
                        raise base.DeserializationError("; ".join(problems))
                    if item.object._meta.label == "releases.Release":
                        # Stored HTML is always rendered here, never taken from the file.
                        item.object.body_html = render_markdown(item.object.body)
                    yield NamedObject(item, where)
            except base.DeserializationError as error:
                raise base.DeserializationError(f"{where}: {error}") from error
