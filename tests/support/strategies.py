"""Hypothesis strategies derived from msgspec type information, constraints included."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

import msgspec
import msgspec.inspect as mi
from hypothesis import strategies as st

AWARE_MIN = datetime(2000, 1, 1, tzinfo=UTC)
AWARE_MAX = datetime(2100, 1, 1, tzinfo=UTC)
OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=9)), timezone(timedelta(hours=-5))])


def strategy_for(t: mi.Type) -> st.SearchStrategy[Any]:  # noqa: C901, PLR0911, PLR0912 - one case per kind
    """Return a strategy for values that msgspec accepts for type `t`."""
    match t:
        case mi.UUIDType():
            return st.uuids()
        case mi.BoolType():
            return st.booleans()
        case mi.NoneType():
            return st.none()
        case mi.IntType(ge=ge, le=le, gt=gt, lt=lt):
            low = ge if ge is not None else (gt + 1 if gt is not None else -(2**53))
            high = le if le is not None else (lt - 1 if lt is not None else 2**53)
            return st.integers(min_value=low, max_value=high)
        case mi.StrType(pattern=str() as pattern):
            return st.from_regex(pattern, fullmatch=True)
        case mi.StrType(min_length=min_length, max_length=max_length):
            return st.text(min_size=min_length or 0, max_size=max_length)
        case mi.DateTimeType(tz=True):
            return st.datetimes(
                min_value=AWARE_MIN.replace(tzinfo=None),
                max_value=AWARE_MAX.replace(tzinfo=None),
                timezones=OFFSETS,
            )
        case mi.DateType():
            return st.dates()
        case mi.EnumType(cls=cls):
            return st.sampled_from(list(cls))
        case mi.LiteralType(values=values):
            return st.sampled_from(values)
        case mi.ListType(item_type=item, max_length=max_length):
            return st.lists(strategy_for(item), max_size=max_length or 5)
        case mi.VarTupleType(item_type=item, max_length=max_length):
            return st.lists(strategy_for(item), max_size=max_length or 5).map(tuple)
        case mi.UnionType(types=types):
            return st.one_of(*(strategy_for(member) for member in types))
        case mi.StructType():
            return struct_strategy(t.cls)
    msg = f"no strategy for {t!r}"
    raise TypeError(msg)


S = TypeVar("S", bound=msgspec.Struct)


def struct_strategy(cls: type[S]) -> st.SearchStrategy[S]:
    """Return a strategy building `cls` with every field drawn within its constraints."""
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    fields = {field.name: strategy_for(field.type) for field in info.fields}
    return st.fixed_dictionaries(fields).map(lambda kwargs: cls(**kwargs))
