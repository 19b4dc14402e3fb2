r"""Litestar's validation errors in words: which field, and what it must be, ja then en.

Litestar reports msgspec's messages ("Expected `str` matching regex '^\\d{4}$'", "Invalid
enum value 'x'"). People should read what to write instead: a pattern becomes the words a
service gave it (or the field's description, or a generic sentence, never the regular
expression), an enum lists its allowed values, a missing field is required, a wrong type
names the type wanted.
"""

import ast
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import msgspec
from litestar.exceptions import ValidationException

from backbone.problems.kinds import FieldError, Words

Formats = Mapping[str, Words]
"""A service's words for its patterns: regular expression → what a value must look like."""
TypeAt = Callable[[str, str], Any]
"""(source, field path) → the msgspec.inspect type expected there, or None."""

MISSING = re.compile(r"^Object missing required field `(.+)`$")
UNKNOWN = re.compile(r"^Object contains unknown field `(.+)`$")
REGEX = re.compile(r"^Expected `.+` matching regex '(.*)'$", re.DOTALL)
LENGTH = re.compile(r"^Expected `(\w+)` of length ([<>]=?) (\d+)$")
BOUND = re.compile(r"^Expected `([\w |]+)` ([<>]=?) (-?[\d.e+]+)$")
WRONG_TYPE = re.compile(r"^Expected `([\w |]+)`, got `(\w+)`$")
ENUM = re.compile(r"^Invalid enum value ")
CHOICES = re.compile(r"^\^\(?([\w-]+(?:\|[\w-]+)+)\)?\$$")
DIGITS = re.compile(r"^\^\\d\{(\d+)(?:,(\d+))?\}\$$")
SEGMENT = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]")

REQUIRED = Words("必須です。かならず 書いて ください", "is required")
NOT_A_FIELD = Words(
    "この 項目は ありません。名前を たしかめて ください", "is not a field of this request"
)
FORMAT = Words(
    "決められた 書き方に 合いません（API の 説明を 見て ください）",
    "is not in the expected format (see the API documentation)",
)
INVALID = Words("正しく ありません", "is not valid")
NOT_ALLOWED = Words("使える 値では ありません", "is not one of the allowed values")
FIXED: Mapping[str, Words] = {
    "Invalid RFC3339 encoded date": Words(
        "YYYY-MM-DD の 日付で 書いて ください（例: 2026-12-14）",
        "must be a date like 2026-12-14",
    ),
    "Invalid RFC3339 encoded datetime": Words(
        "時差つきの 日時で 書いて ください（例: 2026-12-14T09:00:00+09:00）",
        "must be a date and time with its UTC offset, like 2026-12-14T09:00:00+09:00",
    ),
    "Invalid RFC3339 encoded time": Words(
        "時刻で 書いて ください（例: 09:00:00）", "must be a time like 09:00:00"
    ),
    "Invalid UUID": Words(
        "UUID で 書いて ください（例: 3f2b8c1e-7d4a-4e5f-9a6b-1c2d3e4f5a6b）",
        "must be a UUID like 3f2b8c1e-7d4a-4e5f-9a6b-1c2d3e4f5a6b",
    ),
}
TYPES: Mapping[str, tuple[str, str]] = {
    "str": ("文字列", "text"),
    "int": ("整数", "a whole number"),
    "float": ("数", "a number"),
    "decimal": ("数", "a number"),
    "bool": ("true か false", "true or false"),
    "null": ("null", "null"),
    "object": ("オブジェクト {…}", "an object {…}"),
    "array": ("配列 […]", "a list […]"),
    "datetime": ("日時", "a date and time"),
    "date": ("日付", "a date"),
    "time": ("時刻", "a time"),
    "uuid": ("UUID", "a UUID"),
    "bytes": ("base64 の 文字列", "base64 text"),
}
GOT: Mapping[str, tuple[str, str]] = {"float": ("小数", "a decimal number")}
"""What was sent, where it reads better than the expectation's word."""
BOUNDS: Mapping[str, tuple[str, str]] = {
    ">=": ("{} 以上に して ください", "must be at least {}"),
    "<=": ("{} 以下に して ください", "must be at most {}"),
    ">": ("{} より 大きく して ください", "must be more than {}"),
    "<": ("{} より 小さく して ください", "must be less than {}"),
}
LENGTHS: Mapping[str, tuple[str, str]] = {
    ">=": ("{} {} 以上で 書いて ください", "must have at least {} {}"),
    "<=": ("{} {} までに して ください", "must have at most {} {}"),
}
UNITS: Mapping[str, tuple[str, str, str]] = {
    "str": ("文字", "character", "characters"),
    "array": ("個", "item", "items"),
    "object": ("項目", "entry", "entries"),
}


def field_errors(error: ValidationException, type_at: TypeAt, formats: Formats) -> list[FieldError]:
    """One field error per message Litestar collected (none when it gave no list)."""
    extra = error.extra if isinstance(error.extra, list) else []
    return [
        field_error(str(item.get("message", "")), str(item.get("key", "")), item, type_at, formats)
        for item in extra
        if isinstance(item, Mapping)
    ]


def field_error(
    message: str, key: str, item: Mapping[str, Any], type_at: TypeAt, formats: Formats
) -> FieldError:
    """Where and what, in words."""
    source = str(item.get("source", ""))
    at_root = key in {"", "data"}
    field = "" if at_root else key
    for named, words in ((MISSING, REQUIRED), (UNKNOWN, NOT_A_FIELD)):
        found = named.match(message)
        if found:
            return FieldError(f"{field}.{found[1]}" if field else found[1], words)
    return FieldError(field or "(body)", explain(message, type_at(source, key), formats))


def explain(message: str, expected: Any, formats: Formats) -> Words:  # noqa: ANN401 - msgspec.inspect
    """What the value must be, from msgspec's message and the type expected there."""
    for read in (fixed, enum, pattern, length, bound, wrong_type):
        words = read(message, expected, formats)
        if words is not None:
            return words
    if "regex" in message or "`" in message:
        return INVALID
    return Words(INVALID.ja, f"{INVALID.en} ({message})" if message else INVALID.en)


def fixed(message: str, _: object, __: Formats) -> Words | None:
    """Dates, times and UUIDs, with an example."""
    return FIXED.get(message)


def enum(message: str, expected: object, _: Formats) -> Words | None:
    """An enum's or literal's allowed values."""
    if not ENUM.match(message):
        return None
    values = allowed_values(expected)
    return one_of(values) if values else NOT_ALLOWED


def pattern(message: str, expected: object, formats: Formats) -> Words | None:
    """A pattern in words, never the regular expression."""
    found = REGEX.match(message)
    return pattern_words(unquoted(found[1]), description_of(expected), formats) if found else None


def unquoted(shown: str) -> str:
    """The pattern itself: msgspec shows it as a Python literal, backslashes doubled."""
    for quote in ("'", '"'):
        try:
            value = ast.literal_eval(f"{quote}{shown}{quote}")
        except (SyntaxError, ValueError):
            continue
        if isinstance(value, str):
            return value
    return shown


def length(message: str, _: object, __: Formats) -> Words | None:
    """How many characters, items or entries."""
    found = LENGTH.match(message)
    if found is None or found[2] not in LENGTHS:
        return None
    unit_ja, one, many = UNITS.get(found[1], ("個", "item", "items"))
    ja, en = LENGTHS[found[2]]
    number = found[3]
    return Words(ja.format(number, unit_ja), en.format(number, one if number == "1" else many))


def bound(message: str, _: object, __: Formats) -> Words | None:
    """How small or large a number may be."""
    found = BOUND.match(message)
    if found is None:
        return None
    ja, en = BOUNDS[found[2]]
    return Words(ja.format(found[3]), en.format(found[3]))


def wrong_type(message: str, _: object, __: Formats) -> Words | None:
    """Which type is wanted, and which came."""
    found = WRONG_TYPE.match(message)
    if found is None:
        return None
    want_ja, want_en = type_words(found[1])
    got_ja, got_en = GOT.get(found[2]) or type_words(found[2])
    return Words(
        f"{want_ja}で 書いて ください（{got_ja}では ありません）",
        f"must be {want_en}, not {got_en}",
    )


def type_words(names: str) -> tuple[str, str]:
    """`int | null` → 整数 または null / a whole number or null."""
    parts = [TYPES.get(name.strip(), (name.strip(), name.strip())) for name in names.split("|")]
    return " または ".join(ja for ja, _ in parts), " or ".join(en for _, en in parts)


def one_of(values: list[str]) -> Words:
    """An enum's allowed values."""
    listed = ", ".join(values)
    return Words(f"次の どれかに して ください: {listed}", f"must be one of: {listed}")


def pattern_words(pattern: str, description: str | None, formats: Formats) -> Words:
    """A pattern's words: the service's, its choices, digits, the description, or generic."""
    if pattern in formats:
        return formats[pattern]
    if found := CHOICES.match(pattern):
        return one_of(found[1].split("|"))
    if found := DIGITS.match(pattern):
        low, high = found[1], found[2]
        if high is None:
            return Words(f"{low} 桁の 数字で 書いて ください", f"must be {low} digits")
        return Words(
            f"{low}〜{high} 桁の 数字で 書いて ください", f"must be {low} to {high} digits"
        )
    if description:
        return Words.of(description, ja=FORMAT.ja)
    return FORMAT


def type_at_path(root: Any, path: str) -> Any:  # noqa: ANN401 - msgspec.inspect types
    """The msgspec.inspect type at `spec.steps[0]` under `root` (a Python type), or None."""
    try:
        current: Any = msgspec.inspect.type_info(root)
    except (TypeError, ValueError):
        return None
    for name, index in segments(path):
        current = child(current, name, index)
        if current is None:
            return None
    return current


def segments(path: str) -> Iterator[tuple[str | None, str | None]]:
    """`a.b[0]` → (a, None), (b, None), (None, 0)."""
    for found in SEGMENT.finditer(path):
        yield found[1], found[2]


def child(node: Any, name: str | None, index: str | None) -> Any:  # noqa: ANN401 - msgspec.inspect
    """The type one step down: a struct's field, a list's item, a dict's value."""
    inspect = msgspec.inspect
    for option in options(node):
        if name is not None and isinstance(option, inspect.StructType):
            for info in option.fields:
                if name in {info.name, info.encode_name}:
                    return info.type
        if name is not None and isinstance(option, inspect.DictType):
            return option.value_type
        if index is not None and isinstance(
            option,
            inspect.ListType | inspect.SetType | inspect.FrozenSetType | inspect.VarTupleType,
        ):
            return option.item_type
        if index is not None and isinstance(option, inspect.DictType):
            return option.value_type
    return None


def options(node: Any) -> list[Any]:  # noqa: ANN401 - msgspec.inspect
    """A node without its Metadata wrapper, a union as its members."""
    inspect = msgspec.inspect
    while isinstance(node, inspect.Metadata):
        node = node.type
    if isinstance(node, inspect.UnionType):
        return [member for option in node.types for member in options(option)]
    return [node]


def allowed_values(node: Any) -> list[str]:  # noqa: ANN401 - msgspec.inspect
    """An enum's or a literal's values."""
    inspect = msgspec.inspect
    values: list[str] = []
    for option in options(node):
        if isinstance(option, inspect.EnumType):
            values.extend(str(member.value) for member in option.cls)
        elif isinstance(option, inspect.LiteralType):
            values.extend(str(value) for value in option.values)
    return values


def description_of(node: Any) -> str | None:  # noqa: ANN401 - msgspec.inspect
    """The description a field's Meta gives, if any."""
    inspect = msgspec.inspect
    while isinstance(node, inspect.Metadata):
        described = (node.extra_json_schema or {}).get("description")
        if isinstance(described, str) and described:
            return described
        node = node.type
    return None


def pattern_of(annotated: Any) -> str:  # noqa: ANN401 - an Annotated alias
    """The regular expression an `Annotated[str, msgspec.Meta(pattern=…)]` alias checks.

    Raises:
        ValueError: the alias has no pattern.
    """
    for meta in getattr(annotated, "__metadata__", ()):
        if isinstance(meta, msgspec.Meta) and meta.pattern is not None:
            return meta.pattern
    msg = f"{annotated!r} has no pattern"
    raise ValueError(msg)
