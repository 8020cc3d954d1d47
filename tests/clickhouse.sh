#!/bin/sh
# hsdump at scale on ClickHouse (issue 22 part 6). man/hsdump.clickhouse.sql is what
# man/make-schema.py --clickhouse makes of src/output/keys.def; then two clickhouse-server
# processes on loopback, each its own temporary directory and port, are the two shards of one
# cluster (remote_servers), each with the shipped tables, and a Distributed table over them.
# The -S -T json output of every bundled capture, one hsdump per file, is loaded with the
# documented loader into one shard's local table or the other's, alternating, as separate
# sensors or batch jobs would; -T json events the same way. The aggregates read through the
# Distributed tables must equal hsdump's own counts of the same JSON lines (handshakes per
# version, failures per alert and per cause, connections per server name, ...).
# Skipped without clickhouse-server and clickhouse-client (Debian: clickhouse-server,
# clickhouse-client; 18.16 in Debian 12).
. "${srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "no python3"
tmp=$(mktemp -d)
pids=""
stop_servers() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    # clickhouse-server stops in about a second on SIGTERM (longer while it merges parts,
    # stopped below); SIGKILL after 5 s: the data goes with $tmp anyway.
    for p in $pids; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    pids=""
}
trap 'stop_servers; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
sql="$srcdir/man/hsdump.clickhouse.sql"

python3 "$srcdir/man/make-schema.py" --clickhouse "$srcdir/src/output/keys.def" >"$tmp/tables.sql"
if cmp -s "$tmp/tables.sql" "$sql"; then
    ok "man/hsdump.clickhouse.sql is made from src/output/keys.def"
else
    not_ok "man/hsdump.clickhouse.sql is stale: python3 man/make-schema.py --clickhouse > man/hsdump.clickhouse.sql"
fi

if ! command -v clickhouse-server >/dev/null 2>&1 || ! command -v clickhouse-client >/dev/null 2>&1; then
    skip "two ClickHouse shards hold hsdump's counts" "no clickhouse-server or clickhouse-client"
    done_testing
    exit $?
fi

# Two free loopback ports in 44700-44799 (this test's range).
ports=$(python3 - <<'PY'
import socket
found = []
for port in range(44700, 44800):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        found.append(port)
    except OSError:
        pass
    finally:
        s.close()
    if len(found) == 2:
        break
print(*found)
PY
)
# shellcheck disable=SC2086 # two words
set -- $ports
if [ $# -ne 2 ]; then
    not_ok "no two free ports in 44700-44799"
    done_testing
    exit $?
fi
port1=$1
port2=$2

# As root, the servers run as the clickhouse user the package creates, when there is one.
as=""
if [ "$(id -u)" -eq 0 ] && id clickhouse >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
    as="setpriv --reuid=clickhouse --regid=clickhouse --clear-groups"
    chmod 755 "$tmp"
fi

# One server: its own directory, config, port; both know the cluster of the two.
start_server() { # N PORT
    dir="$tmp/server$1"
    mkdir -p "$dir"
    cat >"$dir/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/server.log</log><errorlog>$dir/server.err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>$2</tcp_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <users_config>$dir/config.xml</users_config>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <profiles><default></default></profiles>
  <quotas><default></default></quotas>
  <remote_servers>
    <hsdump_test>
      <shard><replica><host>127.0.0.1</host><port>$port1</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>$port2</port></replica></shard>
    </hsdump_test>
  </remote_servers>
</yandex>
EOF
    [ -z "$as" ] || chown -R clickhouse:clickhouse "$dir"
    (cd "$dir" && exec $as clickhouse-server --config-file="$dir/config.xml" \
        >"$dir/stdout" 2>&1) &
    pids="$pids $!"
}

# Each server's log, on failure.
server_logs() {
    for n in 1 2; do
        for f in "$tmp/server$n/stdout" "$tmp/server$n/server.err.log"; do
            [ -s "$f" ] || continue
            echo "# $f:"
            tail -20 "$f" | sed 's/^/#   /'
        done
    done
}

start_server 1 "$port1"
start_server 2 "$port2"
ready=yes
for port in $port1 $port2; do
    i=0
    until clickhouse-client --port "$port" --query 'SELECT 1' >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -ge 300 ]; then # 30 s
            ready=no
            break
        fi
        sleep 0.1
    done
done
if [ $ready = no ]; then
    not_ok "two clickhouse-server processes answer on 127.0.0.1:$port1 and :$port2 within 30 s"
    server_logs
    done_testing
    exit $?
fi
ok "two clickhouse-server processes answer on 127.0.0.1:$port1 and :$port2"

# On each shard the shipped tables, and the Distributed tables over both shards. Merges of
# the parts each insert makes are stopped: they would take the test's time, not change a count.
setup=yes
for port in $port1 $port2; do
    clickhouse-client --port "$port" --multiquery <"$sql" >"$tmp/setup.err" 2>&1 &&
        clickhouse-client --port "$port" --multiquery --query "
            CREATE TABLE hsdump.connections_all AS hsdump.connections
                ENGINE = Distributed(hsdump_test, hsdump, connections, rand());
            CREATE TABLE hsdump.events_all AS hsdump.events
                ENGINE = Distributed(hsdump_test, hsdump, events, rand());
            SYSTEM STOP MERGES" >>"$tmp/setup.err" 2>&1 ||
        setup=no
done
if [ $setup = yes ]; then
    ok "man/hsdump.clickhouse.sql and the Distributed tables are created on both shards"
else
    not_ok "man/hsdump.clickhouse.sql and the Distributed tables are created on both shards"
    sed 's/^/# /' "$tmp/setup.err"
    server_logs
    done_testing
    exit $?
fi

# One hsdump per capture, its -S -T json lines loaded into shard 1 or 2 in turn with the
# loader of hsdump(1), AT SCALE. Its -T json lines go to the same shard in one insert per
# shard at the end: a MergeTree part per insert of the 250 columns of hsdump.events would
# cost more than the rest of the test.
mkdir "$tmp/S" "$tmp/events"
n=0
loaded=yes
for pcap in "$srcdir"/pcaps/*.pcap*; do
    [ -f "$pcap" ] || continue
    n=$((n + 1))
    shard=$((2 - n % 2))
    if [ $shard -eq 1 ]; then port=$port1; else port=$port2; fi
    "$HSDUMP" -S -T json -r "$pcap" 2>/dev/null >"$tmp/S/$n.json"
    "$HSDUMP" -T json -r "$pcap" 2>/dev/null >>"$tmp/events/$shard.json"
    clickhouse-client --port "$port" --input_format_skip_unknown_fields=1 \
        --query 'INSERT INTO hsdump.connections FORMAT JSONEachRow' <"$tmp/S/$n.json" \
        2>>"$tmp/load.err" || {
        loaded=no
        echo "$pcap" >>"$tmp/load.err"
    }
done
for shard in 1 2; do
    if [ $shard -eq 1 ]; then port=$port1; else port=$port2; fi
    clickhouse-client --port "$port" --input_format_skip_unknown_fields=1 \
        --query 'INSERT INTO hsdump.events FORMAT JSONEachRow' <"$tmp/events/$shard.json" \
        2>>"$tmp/load.err" || loaded=no
done
if [ $loaded = yes ] && [ $n -gt 0 ]; then
    ok "the -S -T json and -T json lines of $n captures load into the two shards"
else
    not_ok "the -S -T json and -T json lines of $n captures load into the two shards"
    sed 's/^/# /' "$tmp/load.err" | head -20
fi

# The aggregates through the Distributed tables, against the same counts made by python3 from
# the JSON lines; each shard holds its own part.
python3 - "$tmp" "$port1" "$port2" <<'PY' >"$tmp/results"
import collections, glob, json, subprocess, sys

tmp, port1, port2 = sys.argv[1], sys.argv[2], sys.argv[3]
def lines(kind):
    return [json.loads(l) for f in sorted(glob.glob(f"{tmp}/{kind}/*.json")) for l in open(f)]
conns, events = lines("S"), lines("events")

def query(port, sql):
    out = subprocess.run(["clickhouse-client", "--port", port, "--query",
                          sql + " FORMAT JSONEachRow"], capture_output=True, text=True)
    if out.returncode:
        return {"error": out.stderr.strip()}
    # 18.16 quotes 64-bit integers in JSON
    return {tuple(r[k] for k in r if k != "n"): int(r["n"])
            for r in map(json.loads, out.stdout.splitlines())}

def count(rows, key, where=lambda o: True):
    return dict(collections.Counter(key(o) for o in rows if where(o)))

C = "FROM hsdump.connections_all"
# bytes per version: the c2s sum as a key column (a string), the s2c sum as the count
bytes_want = collections.defaultdict(lambda: [0, 0])
for o in conns:
    b = bytes_want[o.get("version", "-")]
    b[0] += o.get("bytes_c2s", 0)
    b[1] += o.get("bytes_s2c", 0)
checks = [
    ("connections", f"SELECT count() AS n {C}", count(conns, lambda o: ())),
    ("handshakes per version and status",
     f"SELECT ifNull(version, '-') AS v, ifNull(status, '-') AS s, count() AS n {C} GROUP BY v, s",
     count(conns, lambda o: (o.get("version", "-"), o.get("status", "-")))),
    ("established handshakes per version",
     f"SELECT version AS v, count() AS n {C} WHERE status = 'established' GROUP BY v",
     count(conns, lambda o: (o["version"],), lambda o: o.get("status") == "established")),
    ("failures per alert",
     f"SELECT ifNull(alert, '-') AS a, count() AS n {C} WHERE status = 'failed' GROUP BY a",
     count(conns, lambda o: (o.get("alert", "-"),), lambda o: o.get("status") == "failed")),
    ("failures per cause",
     f"SELECT cause AS c, count() AS n {C} WHERE cause IS NOT NULL GROUP BY c",
     count(conns, lambda o: (o["cause"],), lambda o: "cause" in o)),
    ("connections per server name (SNI)",
     f"SELECT ifNull(sni, '-') AS sni, count() AS n {C} GROUP BY sni",
     count(conns, lambda o: (o.get("sni", "-"),))),
    ("connections per chosen ALPN protocol (Array)",
     f"SELECT arrayJoin(alpn) AS p, count() AS n {C} GROUP BY p",
     dict(collections.Counter((p,) for o in conns for p in o.get("alpn", [])))),
    ("connections per certificate issue (Array)",
     f"SELECT arrayJoin(cert_issues) AS i, count() AS n {C} GROUP BY i",
     dict(collections.Counter((i,) for o in conns for i in o.get("cert_issues", [])))),
    ("bytes per direction and version (UInt64)",
     f"SELECT ifNull(version, '-') AS v, toString(sum(ifNull(bytes_c2s, 0))) AS c,"
     f" sum(ifNull(bytes_s2c, 0)) AS n {C} GROUP BY v",
     {(v, str(c)): s for v, (c, s) in bytes_want.items()}),
    ("events per event and message",
     "SELECT event AS e, ifNull(message, '-') AS m, count() AS n"
     " FROM hsdump.events_all GROUP BY e, m",
     count(events, lambda o: (o["event"], o.get("message", "-")))),
]

for name, sql, want in checks:
    got = query(port1, sql)
    if got == want:
        print(f"PASS {name}: {len(want)} groups, equal to hsdump's counts")
    else:
        print(f"FAIL {name}: the Distributed table and hsdump's counts differ")
        for k in sorted(set(got) | set(want), key=str):
            if got.get(k) != want.get(k):
                print(f"# {k}: clickhouse {got.get(k)}, hsdump {want.get(k)}")

# each shard holds its files' part, and the two parts are the whole
parts = [query(p, "SELECT count() AS n FROM hsdump.connections").get((), 0)
         for p in (port1, port2)]
if all(parts) and sum(parts) == len(conns):
    print(f"PASS the shards hold {parts[0]} and {parts[1]} of {len(conns)} connections")
else:
    print(f"FAIL the shards hold {parts} of {len(conns)} connections")
PY
while IFS= read -r line; do
    case $line in
    PASS\ *) ok "${line#PASS }" ;;
    FAIL\ *) not_ok "${line#FAIL }" ;;
    *) echo "$line" ;;
    esac
done <"$tmp/results"
grep -q '^FAIL' "$tmp/results" && server_logs
[ -s "$tmp/results" ] || not_ok "the aggregate queries ran"
done_testing
