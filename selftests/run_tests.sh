#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of `make check`: run every test program named in tests.list
# and wrap their output in one kselftest TAP stream.  When filters (made
# from selftests/ci-debug.list by scripts/check-debug) has a line for a
# program, its patterns go to that program as WFP_TEST_FILTER.
cd "$(dirname "$0")" || exit 1
# WFP_TESTS: this guest's share of the programs (scripts/check).
tests=${WFP_TESTS:-$(cat tests.list)}
n=0
for t in $tests; do n=$((n + 1)); done

echo "TAP version 13"
echo "1..$n"
i=0
rc_all=0
for t in $tests; do
	i=$((i + 1))
	echo "# selftests: wfp-ipsec: $t"
	log=/tmp/$t.log
	filter=
	[ -r filters ] && filter=$(awk -v t="$t" '$1 == t {
		for (i = 2; i <= NF; i++) printf "%s ", $i }' filters)
	[ -z "$filter" ] || echo "# selftests: wfp-ipsec: $t WFP_TEST_FILTER=$filter"
	t0=$(date +%s)
	WFP_TEST_FILTER=$filter ./"$t" >"$log" 2>&1
	rc=$?
	sed 's/^/# /' "$log"
	# Per-program wall time, so slow programs on the debug kernel show.
	echo "# selftests: wfp-ipsec: $t took $(($(date +%s) - t0)) s"
	# A program whose subject is absent skips whole: "1..0 # SKIP", 4.
	if [ $rc = 4 ] && grep -q '^1\.\.0 # SKIP' "$log"; then
		echo "ok $i selftests: wfp-ipsec: $t # SKIP"
	elif ! grep -q '^# Totals: ' "$log"; then
		echo "not ok $i selftests: wfp-ipsec: $t # no totals (exit $rc)"
		rc_all=1
	elif [ $rc = 0 ]; then
		echo "ok $i selftests: wfp-ipsec: $t"
	elif [ $rc = 4 ]; then
		echo "ok $i selftests: wfp-ipsec: $t # SKIP"
	else
		echo "not ok $i selftests: wfp-ipsec: $t # exit=$rc"
		rc_all=1
	fi
done
exit $rc_all
