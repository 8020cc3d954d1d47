#!/bin/bash
# Shell completion (completion/): both scripts parse (bash -n, zsh -n), and completing drives
# them as the shells would: options from --help, -e field names from --list-fields (a stub
# hsdump stands in for the fields, so the test does not depend on their list), values of
# -T, --time-format and -i, the diff subcommand; and a failing --list-fields offers nothing.
. "${srcdir:-.}/tests/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
HSDUMP=$(cd "$(dirname "$HSDUMP")" && pwd)/$(basename "$HSDUMP")
bash_script="$srcdir/completion/bash/hsdump"
zsh_dir=$(cd "$srcdir/completion/zsh" && pwd)

# A stub named hsdump: three fields for --list-fields, the real binary for the rest.
mkdir "$tmp/bin"
cat >"$tmp/bin/hsdump" <<EOF
#!/bin/sh
if [ "\$1" = --list-fields ]; then
    printf 'sni\tstring\tclient_hello,close\nsni_count\tnumber\tclose\ncipher_suite\tstring\tserver_hello,close\n'
    exit 0
fi
exec "$HSDUMP" "\$@"
EOF
chmod +x "$tmp/bin/hsdump"
# A stub whose --list-fields fails as an hsdump without it would.
mkdir "$tmp/old"
printf '#!/bin/sh\n[ "$1" = --list-fields ] && { echo "hsdump: --list-fields: unknown option" >&2; exit 2; }\nexec "%s" "$@"\n' \
    "$HSDUMP" >"$tmp/old/hsdump"
chmod +x "$tmp/old/hsdump"

check "bash -n completion/bash/hsdump" bash -n "$bash_script"

# complete WORDS...: what bash's programmable completion offers for the last word.
complete_words() {
    bash -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
        _hsdump 2>/dev/null
        printf "%s\n" "${COMPREPLY[@]}"
    ' _ "$bash_script" "$@" | sort | xargs
}
expect() { # NAME EXPECTED WORDS...
    local name=$1 want=$2 got
    shift 2
    got=$(complete_words "$@")
    if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name (got '$got')"; fi
}

check "bash: complete -F _hsdump hsdump is registered" \
    bash -c "source '$bash_script' && complete -p hsdump | grep -q -- '-F _hsdump'"
expect "bash: -e sn -> field names from --list-fields" "sni sni_count" \
    "$tmp/bin/hsdump" -e sn
expect "bash: -e sni,ci -> the last name of a comma list" "sni,cipher_suite" \
    "$tmp/bin/hsdump" -r x.pcap -e sni,ci
expect "bash: -e without --list-fields -> nothing, quietly" "" "$tmp/old/hsdump" -e s
expect "bash: --dur -> --duration" "--duration" "$tmp/bin/hsdump" --dur
expect "bash: --line -> --line-buffered (options come from --help)" "--line-buffered" \
    "$tmp/bin/hsdump" --line
expect "bash: -T j -> json (formats from the -T error message)" "json" "$tmp/bin/hsdump" -T j
expect "bash: --time-format d -> date delta" "date delta" "$tmp/bin/hsdump" --time-format d
expect "bash: --time-format=s (split at =) -> since-first" "since-first" \
    "$tmp/bin/hsdump" --time-format = s
expect "bash: -i l -> lo" "lo" "$tmp/bin/hsdump" -i l
expect "bash: first word di -> diff" "diff" "$tmp/bin/hsdump" di
expect "bash: diff --ke -> diff's options" "--key --keylog" "$tmp/bin/hsdump" diff --ke
expect "bash: -r file names" "$srcdir/pcaps/tls12-full.pcap $srcdir/pcaps/tls12-full.pcap.gz" \
    "$tmp/bin/hsdump" -r "$srcdir/pcaps/tls12-full.pc"
expect "bash: -G takes a number: nothing offered" "" "$tmp/bin/hsdump" -G ""

# zsh: parse, then a real completion in a pseudo-terminal (zsh/zpty), as typed with Tab.
if command -v zsh >/dev/null; then
    check "zsh -n completion/zsh/_hsdump" zsh -n "$zsh_dir/_hsdump"
    cat >"$tmp/zcomp.zsh" <<'EOF'
# zsh zcomp.zsh FPATH_DIR LINE EXPECTED: the line as the completion system leaves it after
# Tab, read until it holds EXPECTED or 15 s pass (a loaded machine can take more than a
# second: compinit, then the completion function running hsdump)
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; PROMPT=''"
zpty -w z "print -r -- MARK-START"
zpty -n -w z "$2"$'\t'
zpty -r z out '*MARK-START*'
local all="" line
for i in {1..150}; do
    while zpty -r -t z line; do all+=$line; done
    [[ $all == *"$3"* ]] && break
    sleep 0.1
done
print -r -- "$all"
zpty -d z
EOF
    zsh_completes() { # NAME LINE EXPECTED-TEXT
        local got
        got=$(cd "$tmp" && PATH="$tmp/bin:$PATH" timeout 20 zsh "$tmp/zcomp.zsh" \
            "$zsh_dir" "$2" "$3" 2>/dev/null)
        case $got in
        *"$3"*) ok "$1" ;;
        *) not_ok "$1"; printf '%s\n' "$got" | cat -v | sed 's/^/# /' | tail -n 3 ;;
        esac
    }
    zsh_completes "zsh: hsdump -e cip -> cipher_suite" "hsdump -e cip" "hsdump -e cipher_suite"
    zsh_completes "zsh: hsdump --dur -> --duration" "hsdump --dur" "hsdump --duration"
    zsh_completes "zsh: hsdump --time-format=si -> since-first" "hsdump --time-format=si" \
        "hsdump --time-format=since-first"
    zsh_completes "zsh: hsdump -i l -> lo (from hsdump -D)" "hsdump -i l" "hsdump -i lo"
    zsh_completes "zsh: hsdump -T j -> json" "hsdump -T j" "hsdump -T json"
    zsh_completes "zsh: hsdump diff --ke -> --key" "hsdump diff --ke" "hsdump diff --key"
else
    skip "zsh completion" "no zsh (apt-get install zsh)"
fi

done_testing
