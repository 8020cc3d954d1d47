"""Reading hsdump's text lines back (man page, OUTPUT): every space-separated word after the
event is one key=value whose first '=' ends the key; a value is its characters with the
backslash as \\ and every other byte that is not printable ASCII, or is a space, '"', '=' (or
in a list item ','), as \\xHH; the empty value is "", an empty list nothing."""
import re

ESCAPE = re.compile(rb"\\(\\|x[0-9a-f]{2})")


def fields(text):
    """The key=value words of text (the part of a line after its event), as (key, raw value)
    pairs in order; words without '=' (the message name) are skipped."""
    pairs = []
    for word in text.split():
        key, eq, value = word.partition("=")
        if eq and re.fullmatch(r"\w+", key):
            pairs.append((key, value))
    return pairs


def value_bytes(raw):
    """A value back to the bytes it stands for."""
    if raw == '""':
        return b""
    return ESCAPE.sub(lambda m: b"\\" if m.group(1) == b"\\" else bytes([int(m.group(1)[1:], 16)]),
                      raw.encode("ascii"))


def value(raw):
    """A value as text (bytes that are not UTF-8 kept as surrogates)."""
    return value_bytes(raw).decode("utf-8", "surrogateescape")


def items(raw):
    """A list's items, each as text; an empty list has none."""
    return [value(item) for item in raw.split(",")] if raw else []
