"""Cross-checks hsdump's name registry (hsdump --list-names) with two independent sources:
openssl's standard cipher names, and tshark's value tables (tshark -G values).

Every cipher suite openssl knows must carry openssl's -stdname. Cipher suites and groups both
name must be named alike; every IANA group, extension, alert, signature scheme and handshake
type tshark knows must be known to hsdump (NOT_IANA lists what tshark adds beyond IANA)."""
import shutil
import subprocess
import sys

# Code points tshark names that are not in the IANA registries hsdump follows, with why.
NOT_IANA = {
    "group": lambda v: 0x0203 <= v <= 0x02ff or 0x2f00 <= v <= 0x2fff,  # OQS experiments
    "signature_scheme": lambda v: 0xfe00 <= v <= 0xfeff,  # OQS experiments (private use)
    "handshake": lambda v: v == 7,  # not registered; no stack sends it
    "alert": lambda v: v == 1,  # end_of_early_data alert of TLS 1.3 drafts only
}
# Values IANA has since given to something else; hsdump prints the registry's name.
REASSIGNED = {("group", 0x0200), ("group", 0x0201), ("group", 0x0202)}  # now MLKEM512..1024


def run(args):
    return subprocess.run(args, capture_output=True, text=True, check=False).stdout


def ours(binary):
    table = {}
    for line in run([binary, "--list-names"]).splitlines():
        kind, value, name = line.split("\t")
        table[(kind, int(value, 16))] = name
    return table


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        self.n += 1
        if ok:
            print(f"ok {self.n} - {what}")
        else:
            self.failed += 1
            print(f"not ok {self.n} - {what}")
            for line in detail.splitlines():
                print(f"# {line}")


def openssl_ciphers():
    out = run(["openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"])
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3 or not parts[0].startswith("0x"):
            continue
        hi, lo = parts[0].split(",")
        yield (int(hi, 16) << 8) | int(lo, 16), parts[2]


def tshark_values(field):
    out = run(["tshark", "-G", "values"])
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) == 4 and f[0] == "V" and f[1] == field:
            yield int(f[2], 0), f[3]


def compare(tap, table, kind, pairs, what, coverage=True, same_name=True):
    missing, differ = [], []
    excluded = NOT_IANA.get(kind, lambda v: False)
    for value, name in pairs:
        mine = table.get((kind, value))
        if mine is None:
            reserved = name.lower().startswith(("unknown", "reserved", "unassigned"))
            if coverage and not excluded(value) and not reserved:
                missing.append(f"0x{value:04x} {name}")
        elif same_name and mine != name and (kind, value) not in REASSIGNED:
            differ.append(f"0x{value:04x} {what} says {name}, hsdump says {mine}")
    if coverage:
        tap.check(not missing, f"every {kind} {what} knows is named by hsdump",
                  "\n".join(missing))
    if same_name:
        tap.check(not differ, f"{kind} names agree with {what}", "\n".join(differ))


def main():
    table = ours(sys.argv[1])
    tap = Tap()
    tap.check(len(table) > 500, f"hsdump --list-names lists the registry ({len(table)} entries)")
    if shutil.which("openssl"):
        compare(tap, table, "cipher_suite", list(openssl_ciphers()), "openssl -stdname")
    if shutil.which("tshark"):
        # tshark also names many suites IANA never registered: names must agree, not coverage.
        compare(tap, table, "cipher_suite",
                list(tshark_values("tls.handshake.ciphersuite")), "tshark", coverage=False)
        compare(tap, table, "group",
                list(tshark_values("tls.handshake.extensions_supported_group")), "tshark")
        # tshark spells these for people ("Handshake Failure"): only coverage is compared.
        for kind, field in (("extension", "tls.handshake.extension.type"),
                            ("alert", "tls.alert_message.desc"),
                            ("signature_scheme", "tls.handshake.sig_hash_alg"),
                            ("handshake", "tls.handshake.type")):
            compare(tap, table, kind, list(tshark_values(field)), "tshark", same_name=False)
    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
