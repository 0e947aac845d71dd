#!/bin/sh
# SPDX-License-Identifier: MIT
# check_manpage.sh — man/clresample.1 against the CLI it documents, so that
# the two cannot drift apart:
#  - every subcommand of `clresample --help` has a section under SUBCOMMANDS,
#    and every such section is a subcommand;
#  - per subcommand, the long options of its --help output (usage line and
#    option list) are exactly those of its synopsis in the page, each of them
#    is described (a .TP under the subcommand or under OPTIONS), and the page
#    describes no option the subcommand does not take; the same for its
#    positional arguments and, for cache, its actions;
#  - `onnx`: the same operators, and each operator's attributes;
#  - every environment variable the code reads (getenv in src/, tools/,
#    bench/, and the CLRS_TUNE_<NAME> variables `clresample info` lists) has
#    a .TP under ENVIRONMENT, and every CLRS_ variable there is read;
#  - the version in .TH is the CLI's;
#  - the page is ASCII, writes option names with \- and formats without a
#    warning under `groff -man -ww` (skipped when groff is missing; Debian:
#    groff-base) and, when man-db's lexgrog is there, has a NAME line that
#    whatis/apropos can read.
# The page's conventions are listed in a comment at its top.
#
# Runs from `make check` (CLRESAMPLE is the built CLI, TEST_SRCDIR the source
# tree's tests directory) or by hand from the top of a built checkout.
# Prints one "ok - ..." / "not ok - ..." line per check (the differences
# below it) and "N passed, M failed"; exits 1 on any failure.

CLI=${CLRESAMPLE:-./clresample}
LC_ALL=C
export LC_ALL
unset CLRS_LOG

if [ -n "$TEST_SRCDIR" ]; then
    top=$(cd "$TEST_SRCDIR/.." && pwd -P) || exit 99
else
    top=$(cd "$(dirname "$0")/.." && pwd -P) || exit 99
fi
PAGE=$top/man/clresample.1

pass=0
fail=0
ok() {
    pass=$((pass + 1))
    echo "ok - $1"
}
not_ok() {
    fail=$((fail + 1))
    echo "not ok - $1"
}
# check NAME FILE: ok when FILE is empty, else not ok with FILE's lines
check() {
    if [ -s "$2" ]; then
        not_ok "$1"
        sed 's/^/#   /' "$2"
    else
        ok "$1"
    fi
}

if [ ! -x "$CLI" ]; then
    echo "not ok - $CLI is not an executable (set CLRESAMPLE)"
    echo "0 passed, 1 failed"
    exit 1
fi
if [ ! -f "$PAGE" ]; then
    echo "not ok - $PAGE is missing"
    echo "0 passed, 1 failed"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_manpage.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# ---------------------------------------------------------------------------
# The page: one record per line, "KIND<TAB>WHERE<TAB>VALUE":
#   sub - NAME        a subcommand section (.SS under SUBCOMMANDS)
#   syn SUB --opt     a long option in SUB's synopsis (.SY ... .YS; a short
#                     option counts as its long form, from tags "-x, --long")
#   pos SUB WORD      a positional argument: an all-capitals .I line of the
#                     synopsis before its first option
#   tag SUB --opt     a long option in a .TP/.TQ tag under SUB
#   gtag - --opt      ... under OPTIONS
#   act SUB word      a tag that is one lower-case word (cache's actions)
#   op onnx Name      a tag that is one capitalised word under onnx
#   attr Name --attr  a long option in the paragraph of that tag
#   env - NAME        a variable in a tag under ENVIRONMENT
#   th - VERSION      the version in .TH
# Roff: comments dropped, \- is -, font changes and \& \| dropped.
sed -e '/^\.\\"/d' -e "/^'\\\\\"/d" -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' -e 's/\\|//g' \
    -e 's/\\e/\\/g' "$PAGE" >"$tmp/page"

awk '
# the arguments of a macro line, roff-style (double quotes group)
function margs(s, a,    n, i, c, cur, inq, have) {
    n = 0; cur = ""; inq = 0; have = 0
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\"") { inq = !inq; have = 1; continue }
        if (c == " " && !inq) {
            if (have) { a[++n] = cur; cur = ""; have = 0 }
            continue
        }
        cur = cur c; have = 1
    }
    if (have) a[++n] = cur
    return n
}
# the text a line shows: alternating-font macros join their arguments,
# the others separate them with spaces; .OP shows [ARGS]
function text(line,    m, rest, a, n, i, t, sep) {
    if (line !~ /^\./) return line
    m = line; sub(/[ \t].*$/, "", m); m = substr(m, 2)
    rest = line; if (!sub(/^\.[^ \t]*[ \t]+/, "", rest)) rest = ""
    n = margs(rest, a)
    sep = (m ~ /^(BI|BR|IB|IR|RB|RI)$/) ? "" : " "
    t = ""
    for (i = 1; i <= n; i++) t = t (i > 1 ? sep : "") a[i]
    if (m == "OP") t = "[" t "]"
    return t
}
function rec(kind, where, value) { printf "%s\t%s\t%s\n", kind, where, value }
# every long option in s, as "kind where --opt" records
function longopts(kind, where, s,    t) {
    while (match(s, /--[a-z][a-z0-9_-]*/)) {
        t = substr(s, RSTART, RLENGTH); sub(/-+$/, "", t)
        if (t != "--help" || kind != "syn") rec(kind, where, t)
        s = substr(s, RSTART + RLENGTH)
    }
}
function endpara() { curop = "" }
{
    line = $0
    if (line ~ /^\.SH/) { sect = text(line); sub_ = ""; endpara(); insyn = 0; next }
    if (line ~ /^\.SS/) {
        sub_ = (sect == "SUBCOMMANDS") ? text(line) : ""
        if (sub_ != "") rec("sub", "-", sub_)
        endpara(); insyn = 0; next
    }
    if (line ~ /^\.TH/) {
        n = margs(substr(line, 4), a)
        v = a[4]; sub(/^[^ ]* /, "", v); rec("th", "-", v)
        next
    }
    if (line ~ /^\.SY/) { insyn = 1; synopt = 0; next }
    if (line ~ /^\.YS/) { insyn = 0; next }
    if (insyn && sub_ != "") {
        t = text(line)
        syn[sub_] = syn[sub_] " " t
        if (line ~ /^\.I / && !synopt) {
            n = split(t, w, " ")
            allcaps = n > 0
            for (i = 1; i <= n; i++) if (w[i] !~ /^[A-Z][A-Z_]*(\.\.\.)?$/) allcaps = 0
            if (allcaps) for (i = 1; i <= n; i++) rec("pos", sub_, w[i])
        }
        if (t ~ /(^|[^A-Za-z0-9])-/) synopt = 1
        next
    }
    if (line ~ /^\.(TP|TQ)/) { wanttag = 1; endpara(); next }
    if (line ~ /^\.(PP|LP|P|RE|RS)([ \t]|$)/) { endpara(); next }
    if (wanttag) {
        wanttag = 0
        t = text(line)
        if (t ~ /^-[A-Za-z], --[a-z]/) alias[substr(t, 1, 2)] = substr(t, 5)
        if (sect == "SUBCOMMANDS" && sub_ != "") {
            longopts("tag", sub_, t)
            if (t ~ /^[a-z]+$/) rec("act", sub_, t)
            if (sub_ == "onnx" && t ~ /^[A-Z][A-Za-z0-9]*$/) { curop = t; rec("op", "onnx", t) }
        } else if (sect == "OPTIONS") {
            longopts("gtag", "-", t)
        } else if (sect == "ENVIRONMENT") {
            while (match(t, /[A-Z][A-Z0-9_]+/)) {
                rec("env", "-", substr(t, RSTART, RLENGTH)); t = substr(t, RSTART + RLENGTH)
            }
        }
        next
    }
    if (curop != "") longopts("attr", curop, text(line))
}
END {
    for (s in syn) {
        t = syn[s]
        longopts("syn", s, t)
        for (x in alias)
            if (match(t, "(^|[^-A-Za-z0-9])" x "($|[^-A-Za-z0-9_])")) rec("syn", s, alias[x])
    }
}
' "$tmp/page" | sort -u >"$tmp/man"

# ---------------------------------------------------------------------------
# The CLI: the same records from its help output.
#   sub - NAME, opt SUB --opt, arg SUB WORD, act SUB word,
#   op onnx Name, attr Name --attr, opword Name word (every word of its line)
"$CLI" --help >"$tmp/main" 2>&1 || not_ok "clresample --help exits 0"
awk '/^subcommands:/ { on = 1; next } on && /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }' "$tmp/main" >"$tmp/subs"
: >"$tmp/help"
while read -r sub; do
    printf 'sub\t-\t%s\n' "$sub" >>"$tmp/help"
    "$CLI" "$sub" --help >"$tmp/h.$sub" 2>&1
    rc=$?
    if [ "$rc" -ne 0 ]; then
        printf '%s --help exits %s\n' "$sub" "$rc" >>"$tmp/helpfail"
        continue
    fi
    awk -v sub_="$sub" '
        function rec(kind, where, value) { printf "%s\t%s\t%s\n", kind, where, value }
        function longopts(s,    t) {
            while (match(s, /--[a-z][a-z0-9_-]*/)) {
                t = substr(s, RSTART, RLENGTH); sub(/-+$/, "", t)
                if (t != "--help") rec("opt", sub_, t)
                s = substr(s, RSTART + RLENGTH)
            }
        }
        # the usage line and its continuation lines (indented by more than
        # the two spaces of an option list entry)
        /^usage:/ { usage = 1 }
        usage && !/^usage:/ && !/^   / { usage = 0 }
        usage {
            longopts($0)
            s = $0
            while (match(s, /\[[a-z]+(\|[a-z]+)+\]/)) {
                n = split(substr(s, RSTART + 1, RLENGTH - 2), w, "|")
                for (i = 1; i <= n; i++) rec("act", sub_, w[i])
                s = substr(s, RSTART + RLENGTH)
            }
            next
        }
        /^[A-Za-z].*:$/ { section = $0 }
        # an option list entry: "  -x, --long ARG  help" or "  --a | --b  help"
        /^  -/ {
            for (i = 1; i <= NF; i++) {
                if ($i == "|") continue
                if ($i !~ /^-/) break
                t = $i; sub(/,$/, "", t)
                if (t ~ /^--[a-z]/ && t != "--help") rec("opt", sub_, t)
            }
            next
        }
        section == "arguments:" && /^  [A-Z]/ { rec("arg", sub_, $1); next }
        sub_ == "onnx" && section ~ /^Operators/ && /^  [A-Z][A-Za-z0-9]* / {
            op = $1
            rec("op", "onnx", op)
            line = $0; sub(/^  [A-Za-z0-9]+ +[0-9]+-[0-9]+; */, "", line)
            s = line
            while (match(s, /[a-z_][a-z_]*/)) { rec("opword", op, substr(s, RSTART, RLENGTH)); s = substr(s, RSTART + RLENGTH) }
            if (line == "no attributes") next
            gsub(/\([^)]*\)/, "", line)
            sub(/;.*$/, "", line)
            n = split(line, w, ",")
            for (i = 1; i <= n; i++) {
                a = w[i]; gsub(/^ +| +$/, "", a)
                if (a != "") rec("attr", op, "--" a)
            }
        }
    ' "$tmp/h.$sub" >>"$tmp/help"
done <"$tmp/subs"
sort -u "$tmp/help" -o "$tmp/help"
if [ -s "$tmp/helpfail" ]; then check "every subcommand's --help exits 0" "$tmp/helpfail"; fi

# Sanity: a change of format must not make everything pass by finding nothing.
nsub=$(grep -c '^sub' "$tmp/help")
nopt=$(grep -c '^opt' "$tmp/help")
nop=$(grep -c '^op	' "$tmp/help")
if [ "$nsub" -ge 10 ] && [ "$nopt" -ge 50 ] && [ "$nop" -ge 5 ]; then
    ok "the CLI's help lists $nsub subcommands, $nop ONNX operators, $nopt subcommand options"
else
    not_ok "the CLI's help parses ($nsub subcommands, $nop ONNX operators, $nopt options found)"
fi
if [ "$(grep -c '^sub' "$tmp/man")" -ge 10 ] && [ "$(grep -c '^syn' "$tmp/man")" -ge 50 ]; then
    ok "the page parses ($(grep -c '^sub' "$tmp/man") subcommand sections)"
else
    not_ok "the page parses (subcommand sections or synopses not found)"
fi

# ---------------------------------------------------------------------------
# Comparisons

# sub: both ways
awk -F '\t' '
    FNR == NR { if ($1 == "sub") h[$3] = 1; next }
    $1 == "sub" { m[$3] = 1 }
    END {
        for (s in h) if (!(s in m)) print "subcommand " s " (clresample --help) has no section under SUBCOMMANDS"
        for (s in m) if (!(s in h)) print "section " s " under SUBCOMMANDS is not a subcommand of clresample --help"
    }' "$tmp/help" "$tmp/man" | sort >"$tmp/d.sub"
check "subcommands: clresample --help and the page list the same" "$tmp/d.sub"

awk -F '\t' '
    FNR == NR { if ($1 == "sub") hs[$3] = 1; if ($1 == "opt") h[$2 SUBSEP $3] = 1
                if ($1 == "arg") { ha[$2 SUBSEP $3] = 1; hasarg[$2] = 1 }
                if ($1 == "act") hact[$2 SUBSEP $3] = 1
                next }
    $1 == "syn" { m[$2 SUBSEP $3] = 1 }
    $1 == "tag" { tag[$2 SUBSEP $3] = 1 }
    $1 == "gtag" { gtag[$3] = 1 }
    $1 == "pos" { mp[$2 SUBSEP $3] = 1 }
    $1 == "act" { mact[$2 SUBSEP $3] = 1 }
    END {
        for (k in h) { split(k, p, SUBSEP)
            if (!(k in m)) print p[1] ": " p[2] " (in " p[1] " --help) is missing from its synopsis in the page" }
        for (k in m) { split(k, p, SUBSEP); if (!(p[1] in hs)) continue
            if (!(k in h)) print p[1] ": the page lists " p[2] ", which " p[1] " --help does not"
            if (!(k in tag) && !(p[2] in gtag)) print p[1] ": " p[2] " has no description (.TP) under " p[1] " or OPTIONS" }
        for (k in tag) { split(k, p, SUBSEP); if (!(p[1] in hs)) continue
            if (!(k in h) && p[2] != "--help") print p[1] ": the page describes " p[2] ", which " p[1] " --help does not list" }
        for (k in ha) { split(k, p, SUBSEP)
            if (!(k in mp)) print p[1] ": argument " p[2] " (in " p[1] " --help) is missing from its synopsis in the page" }
        for (k in mp) { split(k, p, SUBSEP)
            if (hasarg[p[1]] && !(k in ha)) print p[1] ": the page names argument " p[2] ", which " p[1] " --help does not" }
        for (k in hact) { split(k, p, SUBSEP)
            if (!(k in mact)) print p[1] ": action " p[2] " (in " p[1] " --help) is not described in the page" }
        for (k in mact) { split(k, p, SUBSEP)
            if (!(k in hact)) print p[1] ": the page describes action " p[2] ", which " p[1] " --help does not list" }
    }' "$tmp/help" "$tmp/man" | sort >"$tmp/d.opt"
check "options, arguments and actions: each subcommand's --help and its section agree" "$tmp/d.opt"

awk -F '\t' '
    FNR == NR { if ($1 == "op") h[$3] = 1; if ($1 == "attr") ha[$2 SUBSEP $3] = 1
                if ($1 == "opword") w[$2 SUBSEP "--" $3] = 1
                next }
    $1 == "op" { m[$3] = 1 }
    $1 == "attr" { ma[$2 SUBSEP $3] = 1 }
    END {
        for (o in h) if (!(o in m)) print "onnx operator " o " (onnx --help) is not described in the page"
        for (o in m) if (!(o in h)) print "the page describes onnx operator " o ", which onnx --help does not list"
        for (k in ha) { split(k, p, SUBSEP)
            if (!(k in ma)) print "onnx " p[1] ": attribute " p[2] " (onnx --help) is missing from its paragraph in the page" }
        for (k in ma) { split(k, p, SUBSEP)
            if ((p[1] in h) && !(k in w)) print "onnx " p[1] ": the page names " p[2] ", which onnx --help does not mention for it" }
    }' "$tmp/help" "$tmp/man" | sort >"$tmp/d.onnx"
check "onnx: the same operators and attributes in onnx --help and the page" "$tmp/d.onnx"

# environment: the literal getenv("NAME") calls, getenv(MACRO) through its
# #define, and the tuning variables (computed names) as `info` lists them
: >"$tmp/env"
: >"$tmp/code"
: >"$tmp/envfail"
for d in src tools bench; do
    [ -d "$top/$d" ] || { echo "$d/ is missing from $top" >>"$tmp/envfail"; continue; }
    find "$top/$d/" -name '*.[ch]' -type f | sort >"$tmp/files.$d"
    while read -r f; do cat "$f"; done <"$tmp/files.$d" >>"$tmp/code"
done
grep -o 'getenv("[A-Za-z_][A-Za-z0-9_]*")' "$tmp/code" | sed 's/.*("\(.*\)")/\1/' >>"$tmp/env"
[ -s "$tmp/env" ] || echo "no getenv(\"NAME\") found in src/, tools/, bench/" >>"$tmp/envfail"
for m in $(grep -o 'getenv([A-Z_][A-Z0-9_]*)' "$tmp/code" | sed 's/getenv(\(.*\))/\1/' | sort -u); do
    v=$(sed -n "s/^#define $m \"\([A-Za-z_][A-Za-z0-9_]*\)\".*/\1/p" "$tmp/code" | head -n 1)
    if [ -n "$v" ]; then echo "$v" >>"$tmp/env"; else echo "getenv($m): no #define $m \"NAME\" found" >>"$tmp/envfail"; fi
done
CLRS_DEVICE=disabled CLRS_CACHE_DIR=off "$CLI" info 2>/dev/null | awk '/^  CLRS_TUNE_/ { print $1 }' >"$tmp/tune"
if [ -s "$tmp/tune" ]; then cat "$tmp/tune" >>"$tmp/env"; else echo "clresample info lists no CLRS_TUNE_ variable" >>"$tmp/envfail"; fi
sort -u "$tmp/env" -o "$tmp/env"
if [ "$(grep -c '^CLRS_' "$tmp/env")" -lt 5 ]; then echo "fewer than 5 CLRS_ variables found in the code" >>"$tmp/envfail"; fi
awk -F '\t' '
    FNR == NR { code[$1] = 1; next }
    $1 == "env" { m[$3] = 1 }
    END {
        for (v in code) if (!(v in m)) print v " is read by the code but has no entry under ENVIRONMENT"
        for (v in m) if (v ~ /^CLRS_/ && v != "CLRS_TUNE_NAME" && !(v in code)) print "ENVIRONMENT documents " v ", which the code does not read"
    }' "$tmp/env" "$tmp/man" | sort >>"$tmp/envfail"
check "environment: the $(wc -l <"$tmp/env" | tr -d ' ') variables the code reads are under ENVIRONMENT, and only those" "$tmp/envfail"

ver=$("$CLI" --version 2>/dev/null | awk 'NR == 1 { print $2 }')
thver=$(awk -F '\t' '$1 == "th" { print $3 }' "$tmp/man")
if [ -n "$ver" ] && [ "$ver" = "$thver" ]; then
    ok "the page's .TH names version $ver, as clresample --version"
else
    not_ok "the page's .TH version '$thver' is clresample --version's '$ver' (update .TH: version and date)"
fi

# ---------------------------------------------------------------------------
# Lint

grep -n '[^ -~]' "$PAGE" >"$tmp/nonascii"
check "the page is ASCII (roff escapes for the rest)" "$tmp/nonascii"

# Option names with a plain '-' render as hyphens (U+2010) in UTF-8 and do not
# work when copied: --x-y must be written \-\-x\-y.
awk '/^\.\\"/ { next }
    { s = $0; gsub(/\\-/, "\001", s)
      if (s ~ /(^|[^\\])--/ || s ~ /\001\001[A-Za-z0-9_\001]*-[a-z]/) print FILENAME ":" NR ": " $0 }' "$PAGE" >"$tmp/dash"
check "option names are written with \\- in the page" "$tmp/dash"

if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$PAGE" >"$tmp/groff" 2>&1
    check "groff -man -ww formats the page without a warning" "$tmp/groff"
else
    echo "ok - groff -man -ww formats the page without a warning # SKIP groff is not installed (Debian: groff-base)"
fi
if command -v lexgrog >/dev/null 2>&1; then
    if lexgrog "$PAGE" >"$tmp/lexgrog" 2>&1 && grep -q 'clresample - ' "$tmp/lexgrog"; then
        ok "lexgrog reads the NAME line (for whatis and apropos)"
    else
        not_ok "lexgrog reads the NAME line (for whatis and apropos)"
        sed 's/^/#   /' "$tmp/lexgrog"
    fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
