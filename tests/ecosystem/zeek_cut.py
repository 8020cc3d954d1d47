#!/usr/bin/env python3
"""A zeek-cut for the tests (Zeek's zeek-cut is not packaged in Debian 12): reads Zeek ASCII
logs from standard input by their #separator, #set_separator, #empty_field, #unset_field and
#fields header lines and prints the named columns, tab-separated, one line per record; with
no column names, every column. Values are printed as the log holds them (\\xNN escapes kept,
as zeek-cut does).

  zeek_cut.py [--check PATH] [COLUMN...] <LOG

--check PATH also checks the log against Zeek's declaration of that log (zeek_logs.txt beside
this script): the header lines in Zeek's order, #path, #fields and #types exactly Zeek's,
every record with one value per column, each value of its column's type (time, addr, port,
count, bool, string, vector[...]; "-" unset, "(empty)" an empty string or vector), nothing
unescaped that Zeek escapes, and a #close line last. Faults go to stderr, exit 1."""
import ipaddress
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = ["#separator", "#set_separator", "#empty_field", "#unset_field", "#path", "#open",
          "#fields", "#types"]
STAMP = re.compile(r"^\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$")


def declared(path):
    spec = {}
    with open(os.path.join(HERE, "zeek_logs.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if parts[0] == path:
                spec[parts[1]] = parts[2:]
    return spec


def value_ok(kind, v, empty, unset, set_sep):
    if v == unset:
        return True
    if kind.startswith("vector[") or kind.startswith("set["):
        if v == empty:
            return True
        inner = kind[kind.index("[") + 1:-1]
        return all(value_ok(inner, item, None, None, None) for item in v.split(set_sep))
    if kind == "string":
        # printable ASCII; the backslash only in \xNN
        return v != "" and re.fullmatch(r"(?:[\x20-\x5b\x5d-\x7e]|\\x[0-9a-f]{2})+", v) \
            is not None
    if kind == "time":
        return re.fullmatch(r"\d+\.\d{6}", v) is not None
    if kind in ("count", "port"):
        return re.fullmatch(r"\d+", v) is not None and (kind == "count" or int(v) < 65536)
    if kind == "bool":
        return v in ("T", "F")
    if kind == "addr":
        try:
            ipaddress.ip_address(v)
            return True
        except ValueError:
            return False
    return False


def main(argv):
    check = None
    if len(argv) >= 2 and argv[0] == "--check":
        check = argv[1]
        argv = argv[2:]
    faults = []
    meta = {}
    header_seen = []
    columns = None
    types = None
    closed = False
    out = []
    for n, raw in enumerate(sys.stdin, 1):
        line = raw.rstrip("\n")
        if line.startswith("#"):
            if line.startswith("#separator "):
                sep = line.split(" ", 1)[1]
                meta["separator"] = bytes(sep, "ascii").decode("unicode_escape")
                header_seen.append("#separator")
                continue
            key, _, rest = line.partition(meta.get("separator", "\t"))
            header_seen.append(key)
            if key == "#fields":
                columns = rest.split(meta["separator"])
                indexes = [columns.index(c) if c in columns else None for c in argv] \
                    if argv else list(range(len(columns)))
            elif key == "#types":
                types = rest.split(meta["separator"])
            elif key == "#close":
                closed = True
                if check and not STAMP.match(rest):
                    faults.append(f"line {n}: #close {rest!r}")
            else:
                meta[key[1:]] = rest
            continue
        if columns is None:
            faults.append(f"line {n}: a record before #fields")
            continue
        if closed:
            faults.append(f"line {n}: a record after #close")
        values = line.split(meta["separator"])
        if check:
            if len(values) != len(columns):
                faults.append(f"line {n}: {len(values)} values for {len(columns)} columns")
            else:
                for name, kind, v in zip(columns, types, values):
                    if not value_ok(kind, v, meta.get("empty_field"), meta.get("unset_field"),
                                    meta.get("set_separator")):
                        faults.append(f"line {n}: {name}: {v!r} is not a Zeek {kind}")
        out.append("\t".join(values[i] if i is not None and i < len(values) else
                             meta.get("unset_field", "-") for i in indexes))
    if check:
        spec = declared(check)
        if header_seen[:len(HEADER)] != HEADER:
            faults.append(f"header lines {header_seen[:len(HEADER)]}, Zeek writes {HEADER}")
        expected = {"separator": "\t", "set_separator": ",", "empty_field": "(empty)",
                    "unset_field": "-", "path": check}
        for key, value in expected.items():
            if meta.get(key) != value:
                faults.append(f"#{key} is {meta.get(key)!r}, not {value!r}")
        if not STAMP.match(meta.get("open", "")):
            faults.append(f"#open {meta.get('open')!r}")
        if columns != spec.get("fields"):
            faults.append(f"#fields differ from Zeek's {check}.log: {columns}")
        if types != spec.get("types"):
            faults.append(f"#types differ from Zeek's {check}.log: {types}")
        if not closed:
            faults.append("no #close line")
    for fault in faults:
        print(f"zeek_cut: {fault}", file=sys.stderr)
    if not faults:
        sys.stdout.write("".join(line + "\n" for line in out))
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
