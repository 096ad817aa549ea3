"""Each search engine module offers every member of the Engine protocol (engine.py)."""

import inspect
import typing

import pytest

from releases.search import ENGINES, postgres, sqlite
from releases.search.engine import Engine

VALUES = typing.get_type_hints(Engine)
FUNCTIONS = [
    name
    for name, member in vars(Engine).items()
    if inspect.isfunction(member) and not name.startswith("_")
]
MODULES = pytest.mark.parametrize("module", [postgres, sqlite], ids=lambda m: m.__name__)


def test_the_protocol_names_the_members_the_search_uses():
    assert {"page", "excerpts", "vocabulary", "matches", "lacking", "facet_rows"} <= set(FUNCTIONS)
    assert {"GROUPED", "SIGNED", "TAGSETS", "LACKING_SHARE"} <= set(VALUES)
    assert set(ENGINES.values()) == {postgres, sqlite}


@MODULES
@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_engine_defines_every_function_with_the_same_parameters(module, name):
    declared = list(inspect.signature(getattr(Engine, name)).parameters)[1:]  # less self
    assert inspect.isfunction(getattr(module, name, None)), f"{module.__name__} lacks {name}()"
    assert list(inspect.signature(getattr(module, name)).parameters) == declared


@MODULES
@pytest.mark.parametrize("name", sorted(VALUES))
def test_each_engine_defines_every_value(module, name):
    assert isinstance(getattr(module, name, None), VALUES[name]), f"{module.__name__}.{name}"
