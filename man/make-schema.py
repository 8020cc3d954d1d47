#!/usr/bin/env python3
"""Writes man/hsdump.schema.json, the JSON Schema (draft 2020-12) of hsdump's -T json lines,
from the declared list of keys src/output/keys.def: one definition per key (its one type),
and per event the keys its lines may carry, nothing else.

    python3 man/make-schema.py [KEYS_DEF] > man/hsdump.schema.json
"""
import json
import re
import sys

EVENTS_RE = re.compile(r'const char \*const keys_(report_)?events\[\] = \{(.*?)\};', re.S)
KEY_RE = re.compile(r'^KEY\((\w+), (\w+), "([^"]*)", "((?:[^"\\]|\\.)*)"\)$')

TYPES = {
    "TOKEN": {"type": "string"},
    "STRING": {"type": "string"},
    "HEX": {"type": "string", "pattern": "^[0-9a-f]*$"},
    "UINT": {"type": "integer", "minimum": 0},
    "DECIMAL": {"type": "number"},
    "BOOL": {"type": "boolean"},
    "LIST": {"type": "array", "items": {"type": "string"}},
    "UINTS": {"type": "array", "items": {"type": "integer", "minimum": 0}},
    "COUNTS": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
}
# Always on an event line (time is absent with -t); message names the handshake message.
# --report's objects have only event in common with them.
REQUIRED = ["conn", "client", "dir", "server", "event"]
REQUIRED_BY_EVENT = {"handshake": ["message"]}
EXACT = {"dir": {"enum": ["c2s", "s2c"]}}


def read(def_path):
    keys = []
    for line in open(def_path, encoding="ascii"):
        m = KEY_RE.match(line.strip())
        if m:
            name, typ, events, meaning = m.groups()
            keys.append((name, typ, events.split(), meaning.replace('\\"', '"')))
    src = open(def_path.replace("keys.def", "keys.c"), encoding="ascii").read()
    conn_events, report_events = [], []
    for report, body in EVENTS_RE.findall(src):
        (report_events if report else conn_events).extend(re.findall(r'"(\w+)"', body))
    return keys, conn_events, report_events


def schema(keys, conn_events, report_events):
    defs = {}
    for name, typ, _, meaning in keys:
        d = dict(TYPES[typ])
        d.update(EXACT.get(name, {}))
        d["description"] = meaning
        defs[name] = d
    rules = []
    events = conn_events + report_events
    for event in events:
        star = event in conn_events
        props = {name: {"$ref": "#/$defs/" + name}
                 for name, _, evs, _ in keys if (star and "*" in evs) or event in evs}
        props["event"] = {"const": event}
        rules.append({
            "if": {"properties": {"event": {"const": event}}},
            "then": {
                "properties": props,
                "required": (REQUIRED if star else ["event"]) + REQUIRED_BY_EVENT.get(event, []),
                "additionalProperties": False,
            },
        })
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "hsdump -T json event line",
        "description": "One JSON object per line of hsdump -T json (events, and --report's "
                       "objects), discriminated by its event key; each key has one type on "
                       "every line (hsdump(1), Keys and types). Made by man/make-schema.py from "
                       "src/output/keys.def.",
        "type": "object",
        "required": ["event"],
        "properties": {"event": {"enum": events}},
        "allOf": rules,
        "$defs": defs,
    }


def main():
    def_path = sys.argv[1] if len(sys.argv) > 1 else "src/output/keys.def"
    keys, conn_events, report_events = read(def_path)
    json.dump(schema(keys, conn_events, report_events), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
