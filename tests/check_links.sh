#!/bin/sh
# SPDX-License-Identifier: MIT
# Link check: every relative link in the user documentation (README.md,
# docs/*.md, bench/README.md) must resolve to a file or
# directory inside this source tree, and no link may leave the tree
# (../shared and the like were broken links for every reader but one).
# A link with a #fragment must name a heading of its target (GitHub's
# anchors: lower case, punctuation dropped, spaces to '-'; ASCII headings).
# External links (http:, https:, mailto:) are not fetched.
#
# Runs from `make check` (TEST_SRCDIR is the tests directory of the source
# tree, also in distcheck's VPATH build) or by hand from the top of a checkout.
# Prints one line per failure and a summary 'N passed, M failed'.

if [ -n "$TEST_SRCDIR" ]; then
    top=$(cd "$TEST_SRCDIR/.." && pwd -P) || exit 99
else
    top=$(cd "$(dirname "$0")/.." && pwd -P) || exit 99
fi
cd "$top" || exit 99

pass=0
fail=0
tmp=$(mktemp "${TMPDIR:-/tmp}/check_links.XXXXXX") || exit 99
trap 'rm -f "$tmp"' EXIT HUP INT TERM

# The links of a Markdown file, one per line as 'LINE TARGET', outside fenced
# code blocks and `inline code`.
links() {
    awk '
        /^[ \t]*(```|~~~)/ { fence = !fence; next }
        fence { next }
        {
            line = $0
            gsub(/`[^`]*`/, "", line)
            # inline links and images: ](target) or ](target "title")
            while (match(line, /\]\([^)]*\)/)) {
                t = substr(line, RSTART + 2, RLENGTH - 3)
                sub(/[ \t]+".*$/, "", t)
                sub(/^</, "", t); sub(/>$/, "", t)
                print NR " " t
                line = substr(line, RSTART + RLENGTH)
            }
            # reference definitions: [label]: target
            if (match($0, /^ ? ? ?\[[^]]+\]:[ \t]+[^ \t]+/)) {
                t = $0
                sub(/^ ? ? ?\[[^]]+\]:[ \t]+/, "", t)
                sub(/[ \t].*$/, "", t)
                sub(/^</, "", t); sub(/>$/, "", t)
                print NR " " t
            }
        }' "$1"
}

# The GitHub anchors of a Markdown file's headings, one per line.
anchors() {
    awk '
        /^[ \t]*(```|~~~)/ { fence = !fence; next }
        fence { next }
        /^#+[ \t]/ {
            h = $0
            sub(/^#+[ \t]+/, "", h); sub(/[ \t]+#*[ \t]*$/, "", h)
            h = tolower(h)
            gsub(/[^a-z0-9 _-]/, "", h)
            gsub(/ /, "-", h)
            n = seen[h]++
            print (n ? h "-" n : h)
        }' "$1"
}

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

files="README.md bench/README.md"
for f in docs/*.md; do [ -f "$f" ] && files="$files $f"; done

for f in $files; do
    if [ ! -f "$f" ]; then
        bad "$f: missing"
        continue
    fi
    dir=$(dirname "$f")
    links "$f" > "$tmp"
    while read -r line target; do
        case $target in
        http://* | https://* | mailto:* | ftp://*) continue ;;
        '') bad "$f:$line: empty link"; continue ;;
        esac
        path=${target%%#*}
        frag=
        case $target in *'#'*) frag=${target#*#} ;; esac
        case $path in
        /*) bad "$f:$line: $target: absolute path"; continue ;;
        *../shared*) bad "$f:$line: $target: points at ../shared, outside the repository"; continue ;;
        esac
        if [ -z "$path" ]; then
            dest=$f
        else
            dest=$dir/$path
        fi
        if [ ! -e "$dest" ]; then
            bad "$f:$line: $target: no such file"
            continue
        fi
        real=$(cd "$(dirname "$dest")" && pwd -P)/$(basename "$dest")
        case $real in
        "$top"/*) ;;
        *) bad "$f:$line: $target: resolves outside the repository ($real)"; continue ;;
        esac
        if [ -n "$frag" ]; then
            case $dest in
            *.md)
                if ! anchors "$dest" | grep -qxF -- "$frag"; then
                    bad "$f:$line: $target: no heading with anchor #$frag in $dest"
                    continue
                fi
                ;;
            esac
        fi
        ok
    done < "$tmp"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
