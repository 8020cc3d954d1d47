#!/usr/bin/env python3
"""Writes man/hsdump.schema.json, the JSON Schema (draft 2020-12) of hsdump's -T json lines,
from the declared list of keys src/output/keys.def: one definition per key (its one type),
and per event the keys its lines may carry, nothing else. With --clickhouse, writes
man/hsdump.clickhouse.sql instead: ClickHouse tables with one column per key, of the same type,
for the lines of hsdump -S -T json (hsdump.connections) and of -T json (hsdump.events).

    python3 man/make-schema.py [KEYS_DEF] > man/hsdump.schema.json
    python3 man/make-schema.py --clickhouse [KEYS_DEF] > man/hsdump.clickhouse.sql
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


# ClickHouse column types, as old as Debian 12's clickhouse-server 18.16 takes them (no Bool,
# Map or LowCardinality there). A key a line may lack is Nullable (NULL where it is absent);
# an absent list is an empty Array (Arrays cannot be Nullable). BOOL is UInt8: JSONEachRow reads
# true and false as 1 and 0. COUNTS are --report's only, which no table holds.
CLICKHOUSE = {
    "TOKEN": "String", "STRING": "String", "HEX": "String", "UINT": "UInt64",
    "DECIMAL": "Float64", "BOOL": "UInt8", "LIST": "Array(String)", "UINTS": "Array(UInt64)",
}
# table: (what it holds, its events, its time column: (name, the key it is read from), ORDER BY)
TABLES = [
    ("connections", "hsdump -S -T json: one row per connection (its close line)", ["close"],
     ("start_time", "start"), "server, start_time, conn"),
    ("events", "hsdump -T json: one row per event line (not --report's objects)", None,
     ("event_time", "time"), "server, event_time, conn"),
]


def sql_string(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def clickhouse(keys, conn_events):
    out = [
        "-- ClickHouse tables for hsdump's JSON lines, one column per key of src/output/keys.def,",
        "-- of its one type (hsdump(1), Keys and types; man/hsdump.schema.json). Made by",
        "-- man/make-schema.py --clickhouse; do not edit. For clickhouse-server 18.16 and later:",
        "--   clickhouse-client --multiquery < hsdump.clickhouse.sql",
        "-- then, from each sensor or batch job (hsdump(1), AT SCALE):",
        "--   hsdump -S -T json -r f.pcap | clickhouse-client --input_format_skip_unknown_fields=1 \\",
        "--       --query 'INSERT INTO hsdump.connections FORMAT JSONEachRow'",
        "-- Over a cluster (remote_servers in the server's config), these tables on every shard and",
        "-- one Distributed table to query them all, e.g. for a cluster named sensors:",
        "--   CREATE TABLE hsdump.connections_all AS hsdump.connections",
        "--       ENGINE = Distributed(sensors, hsdump, connections, rand());",
        "",
        "CREATE DATABASE IF NOT EXISTS hsdump;",
    ]
    for table, what, events, (time_col, time_key), order in TABLES:
        events = events or conn_events
        cols = []
        for name, typ, evs, meaning in keys:
            if "*" not in evs and not set(evs) & set(events):
                continue
            ctype = CLICKHOUSE[typ]
            if name not in REQUIRED and not ctype.startswith("Array"):
                ctype = "Nullable(%s)" % ctype
            cols.append("`%s` %s COMMENT %s" % (name, ctype, sql_string(meaning)))
        cols.append("`%s` DateTime MATERIALIZED parseDateTimeBestEffortOrZero(ifNull(`%s`, ''))"
                    " COMMENT %s" % (time_col, time_key, sql_string(
                        "%s as a DateTime (UTC), when the time format is the default one"
                        % time_key)))
        out += ["", "-- " + what, "CREATE TABLE IF NOT EXISTS hsdump.%s" % table, "("]
        out += ["    %s%s" % (c, "," if i < len(cols) - 1 else "") for i, c in enumerate(cols)]
        out += [")", "ENGINE = MergeTree", "PARTITION BY toYYYYMM(%s)" % time_col,
                "ORDER BY (%s);" % order]
    return "\n".join(out) + "\n"


def main():
    args = sys.argv[1:]
    sql = args[:1] == ["--clickhouse"]
    if sql:
        args = args[1:]
    def_path = args[0] if args else "src/output/keys.def"
    keys, conn_events, report_events = read(def_path)
    if sql:
        sys.stdout.write(clickhouse(keys, conn_events))
        return
    json.dump(schema(keys, conn_events, report_events), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
