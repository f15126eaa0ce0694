"""Plain records for the probe's snapshot model: what ``dataclasses`` gives the model
(an ``__init__`` from the annotations, defaults, default factories, ``==``, a repr),
without what importing it costs.

Why not ``dataclasses``: the probe is timed against ``python -c "import psutil"`` (the
USB-stick agent runs it on every laptop), and ``import dataclasses`` pulls in ``inspect``
(and with it ``ast``, ``dis``, ``tokenize``) while the model's type hints pulled in
``typing``. Measured in one hyperfine call on the bench machine, those two imports were
about the whole of the probe's start-up above ``import psutil`` (docs/benchmarks.md).
This module imports nothing; type checkers see a dataclass (``dataclass_transform``).

A record's ``__init__`` is generated once per class, as ``dataclasses`` does it, from
the names the class itself annotates (no inheritance between records).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar, TypeVar, dataclass_transform

    T = TypeVar("T")
    R = TypeVar("R", bound="Record")
else:

    def dataclass_transform(**_: object) -> object:
        return lambda cls: cls


_ABSENT = object()


class _Factory:
    __slots__ = ("make",)

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], T]) -> T:
    """A field whose default is made anew for each record (a list, another record)."""
    return _Factory(default_factory)  # type: ignore[return-value]


@dataclass_transform(field_specifiers=(field,))
class Record:
    """The base of a record class: annotate the fields, give defaults as class values."""

    if TYPE_CHECKING:  # annotated for type checkers only: get_type_hints() skips them
        __fields__: ClassVar[tuple[str, ...]]
        __required__: ClassVar[frozenset[str]]
    __fields__ = ()
    __required__ = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = tuple(cls.__dict__.get("__annotations__", {}))  # noqa: RUF063 - no inspect
        scope: dict[str, object] = {"_ABSENT": _ABSENT}
        params: list[str] = []
        lines: list[str] = []
        required: set[str] = set()
        for name in names:
            if not name.isidentifier() or name.startswith("_"):
                raise TypeError(f"{cls.__name__}.{name}: not a field name")
            default = cls.__dict__.get(name, _ABSENT)
            if isinstance(default, _Factory):
                scope[f"_make_{name}"] = default.make
                delattr(cls, name)
                params.append(f"{name}=_ABSENT")
                lines.append(f"    self.{name} = _make_{name}() if {name} is _ABSENT else {name}")
                continue
            if default is _ABSENT:
                if len(required) < len(params):
                    raise TypeError(
                        f"{cls.__name__}.{name}: a field without a default follows one with"
                    )
                required.add(name)
                params.append(name)
            else:
                scope[f"_default_{name}"] = default
                params.append(f"{name}=_default_{name}")
            lines.append(f"    self.{name} = {name}")
        source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(lines or ["    pass"])
        exec(source, scope)
        init = scope["__init__"]
        init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
        setattr(cls, "__init__", init)  # noqa: B010 - a method made at run time
        cls.__fields__, cls.__required__ = names, frozenset(required)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__fields__)

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq

    def __repr__(self) -> str:
        inside = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__fields__)
        return f"{self.__class__.__qualname__}({inside})"


def fields(record: Record | type[Record]) -> tuple[str, ...]:
    """The record's field names, in the order the class declares them."""
    return record.__fields__


def type_hints(cls: type[Record]) -> dict[str, Any]:
    """A record class's fields and their types (imports typing: not for start-up paths).
    ``Any``, which a model module imports for type checkers only, is known by name."""
    import typing

    return typing.get_type_hints(cls, localns={"Any": typing.Any})


def is_record(value: object) -> bool:
    return isinstance(value, Record) or (isinstance(value, type) and issubclass(value, Record))


def replace(record: R, **changes: Any) -> R:
    """A copy of ``record`` with some fields changed (``dataclasses.replace``)."""
    values = {n: getattr(record, n) for n in record.__fields__}
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{record.__class__.__name__} has no field {sorted(unknown)[0]!r}")
    values.update(changes)
    return record.__class__(**values)


def to_dict(value: Any) -> Any:
    """A record as JSON-shaped data, recursively, sharing nothing with the record
    (``dataclasses.asdict``)."""
    if isinstance(value, Record):
        return {n: to_dict(getattr(value, n)) for n in value.__fields__}
    if isinstance(value, list | tuple):
        return [to_dict(v) for v in value]
    if isinstance(value, dict):
        return {k: to_dict(v) for k, v in value.items()}
    return value
