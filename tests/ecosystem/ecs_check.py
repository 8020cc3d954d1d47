#!/usr/bin/env python3
"""Checks hsdump -T ecs output (files given, or standard input) against the ECS field list
(ecs_fields.csv beside this script): one JSON object per line, no key twice in an object,
every field outside hsdump.* an ECS field of its ECS type, lists exactly where ECS has
arrays, the categorization values ECS allows for network events, and the fields every
record has. Exit 1 with one line per fault."""
import csv
import ipaddress
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
# ECS categorization (ecs-allowed-values-event-*): event.kind, and event.type values allowed
# with event.category network
ALLOWED = {
    "event.kind": {"alert", "enrichment", "event", "metric", "state", "pipeline_error",
                   "signal"},
    "event.category": {"network"},
    "event.type": {"access", "allowed", "connection", "denied", "end", "info", "protocol",
                   "start"},
    "event.outcome": {"failure", "success", "unknown"},
}
REQUIRED = ["@timestamp", "ecs.version", "event.kind", "event.category", "event.type",
            "event.outcome", "event.start", "event.end", "event.duration", "source.ip",
            "source.port", "destination.ip", "destination.port", "network.transport",
            "network.protocol", "tls.established", "tls.resumed", "hsdump.conn"]


def load_fields():
    fields = {}
    with open(os.path.join(HERE, "ecs_fields.csv")) as f:
        for row in csv.reader(line for line in f if not line.startswith("#")):
            fields[row[0]] = (row[1], row[2] == "array")
    return fields


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise ValueError(f"key given twice: {sorted(dup)}")
    return dict(pairs)


def flatten(obj, prefix=""):
    for key, value in obj.items():
        path = prefix + key
        if isinstance(value, dict):
            yield from flatten(value, path + ".")
        else:
            yield path, value


def type_ok(ecs_type, v):
    if ecs_type in ("keyword", "constant_keyword", "wildcard"):
        return isinstance(v, str)
    if ecs_type == "long":
        return isinstance(v, int) and not isinstance(v, bool)
    if ecs_type == "boolean":
        return isinstance(v, bool)
    if ecs_type == "date":
        return isinstance(v, str) and DATE.match(v) is not None
    if ecs_type == "ip":
        try:
            ipaddress.ip_address(v)
            return True
        except (ValueError, TypeError):
            return False
    return False


def check_line(fields, line):
    faults = []
    obj = json.loads(line, object_pairs_hook=no_duplicates)
    if not isinstance(obj, dict):
        return ["not an object"]
    flat = dict(flatten(obj))
    for path, value in flat.items():
        if path.startswith("hsdump."):
            continue
        if path not in fields:
            faults.append(f"{path}: not an ECS field")
            continue
        ecs_type, array = fields[path]
        if array != isinstance(value, list):
            faults.append(f"{path}: {'a list' if array else 'one value'} expected")
        for v in value if isinstance(value, list) else [value]:
            if not type_ok(ecs_type, v):
                faults.append(f"{path}: {v!r} is not of ECS type {ecs_type}")
            if path in ALLOWED and v not in ALLOWED[path]:
                faults.append(f"{path}: {v!r} is not an allowed value")
    for path in REQUIRED:
        if path not in flat:
            faults.append(f"{path}: missing")
    if flat.get("@timestamp") != flat.get("event.start"):
        faults.append("@timestamp is not event.start")
    return faults


def main():
    fields = load_fields()
    failed = 0
    lines = 0
    inputs = [open(p) for p in sys.argv[1:]] or [sys.stdin]
    for f in inputs:
        for n, line in enumerate(f, 1):
            lines += 1
            try:
                faults = check_line(fields, line)
            except ValueError as e:
                faults = [str(e)]
            for fault in faults:
                failed += 1
                print(f"{f.name}:{n}: {fault}")
    if lines == 0:
        print("no records")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
