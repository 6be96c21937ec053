"""The one serialisation of the plan's values: a frozen dataclass to and from its plan-document mapping.

Fields map one to one onto keys of the same name; a tuple of records becomes a list of mappings. Reading
converts each value to its field's type (``str``, ``int``, ``bool``), reads an optional field with ``get`` and
a field with a default (or a ``READ_DEFAULTS`` entry, for documents of older minor versions) as that default.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import MISSING, fields
from typing import Any, ClassVar, Self, Union, get_args, get_origin, get_type_hints

_Reader = Callable[[Mapping[str, Any]], Any]
_NO_DEFAULT: Any = MISSING

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_READERS: dict[type, tuple[tuple[str, _Reader], ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def plain(value: Any) -> Any:
    """A value as plan-document JSON: a record as its mapping, a tuple (of records) as a list."""
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


def _reader(name: str, hint: Any, default: Any) -> _Reader:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType) and type(None) in get_args(hint):
        return lambda d: d.get(name)
    if origin is tuple:
        item = get_args(hint)[0]
        if not (isinstance(item, type) and issubclass(item, Record)):
            raise TypeError(f"{name}: only tuples of records are read generically")
        read_item = item.from_dict
        if default is _NO_DEFAULT:
            return lambda d: tuple(read_item(x) for x in d[name])
        return lambda d: tuple(read_item(x) for x in d.get(name, default))
    if hint not in (str, int, bool):
        raise TypeError(f"{name}: {hint!r} is not read generically")
    if default is _NO_DEFAULT:
        return lambda d: hint(d[name])
    return lambda d: hint(d.get(name, default))


def _readers(cls: type[Record]) -> tuple[tuple[str, _Reader], ...]:
    found = _READERS.get(cls)
    if found is None:
        hints = get_type_hints(cls)
        readers = []
        for f in fields(cls):  # type: ignore[arg-type]
            default = cls.READ_DEFAULTS.get(f.name, f.default)
            readers.append((f.name, _reader(f.name, hints[f.name], default)))
        found = _READERS[cls] = tuple(readers)
    return found


class Record:
    """A frozen dataclass value of the plan document, serialised field by field under its own field names.

    A subclass overrides :meth:`to_dict` and :meth:`from_dict` only where the document spells a field
    differently (:class:`~tak_gitops.core.plan.model.Change` names the parts of its key).
    """

    __slots__ = ()
    READ_DEFAULTS: ClassVar[Mapping[str, Any]] = {}
    """Values for keys a document may lack although the field has no default (older documents)."""

    def to_dict(self) -> dict[str, Any]:
        """The plan-format mapping of this value."""
        return {name: plain(getattr(self, name)) for name in _field_names(type(self))}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Self:
        """Read the value back from its plan-format mapping (the inverse of :meth:`to_dict`).

        Raises KeyError, TypeError or ValueError for a broken mapping."""
        return cls(**{name: read(d) for name, read in _readers(cls)})
