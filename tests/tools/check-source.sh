#!/bin/sh
# check-source.sh - the source rules `make layers` enforces (run by make test).
#
#   check-source.sh "LAYER: module module ..." ...
#
# Layers are given lowest first. A module is a file stem: src/M.c,
# include/ddwsim/M.h, or a private header src/M.h (src/<module>_int.h).
#   1. every file under src/ and include/ddwsim/ belongs to a layer;
#   2. a file includes only headers of its own layer or a lower one;
#   3. no function is longer than 60 lines (opening brace to closing brace,
#      for functions written with the brace alone on a line, as every
#      function here is); initialisers (tables) are not functions;
#   4. make help lists every target;
#   5. a private header (under src/) is named <module>_int.h.
# Prints every violation as FILE:LINE: message and exits 1 if there is one.
set -eu

map=$(mktemp)
trap 'rm -f "$map"' EXIT
n=0
for spec in "$@"; do
	n=$((n + 1))
	layer=${spec%%:*}
	for m in ${spec#*:}; do
		printf '%s %d %s\n' "$m" "$n" "$layer" >>"$map"
	done
done

files=$(ls src/*.c src/*.h include/ddwsim/*.h 2>/dev/null)
awk -v mapfile="$map" '
BEGIN {
	while ((getline line < mapfile) > 0) {
		split(line, f, " ")
		if (f[1] in lev) { printf "layers: module %s is in two layers\n", f[1]; bad = 1 }
		lev[f[1]] = f[2]; lname[f[1]] = f[3]
	}
}
function stem(path,   s) {
	s = path; sub(/.*\//, "", s); sub(/\.[ch]$/, "", s); return s
}
FNR == 1 {
	me = stem(FILENAME); body = 0
	if (!(me in lev)) { printf "%s:1: not in any layer (Makefile LAYERS)\n", FILENAME; bad = 1 }
}
/^#include "/ {
	inc = $2; gsub(/"/, "", inc); t = stem(inc)
	if (!(t in lev)) { printf "%s:%d: includes %s, which is in no layer\n", FILENAME, FNR, inc; bad = 1 }
	else if ((me in lev) && lev[t] > lev[me]) {
		printf "%s:%d: %s (layer %s) includes %s of the higher layer %s\n", FILENAME, FNR, me, lname[me], inc, lname[t]
		bad = 1
	}
}
/^\{/ { body = FNR }
/^\}/ && body {
	if (FNR - body + 1 > 60) { printf "%s:%d: function of %d lines (at most 60)\n", FILENAME, body, FNR - body + 1; bad = 1 }
	body = 0
}
END { exit bad }
' $files || exit 1

# 4. `make help` (the Makefile's header) lists every phony target but the
#    internal deps-build and deps-test.
bad=0
for t in $(sed -n 's/^\.PHONY: *//p' Makefile); do
	case $t in deps-build|deps-test) continue ;; esac
	if ! grep -q "^#   make $t\( \|$\)" Makefile; then
		echo "Makefile:1: make help does not list the target $t"
		bad=1
	fi
done
for h in src/*.h; do
	case $h in
	*_int.h) ;;
	*) echo "$h:1: a private header is named src/<module>_int.h (public ones go in include/ddwsim/)"; bad=1 ;;
	esac
done
exit $bad
