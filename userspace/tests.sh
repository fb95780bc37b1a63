#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host tests of swapmemctl against a fake sysfs tree: no module, no root.
# TAP output; exits non-zero if any test fails.
#
#   sh tests.sh [path/to/swapmemctl]

here=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-${SWAPMEMCTL:-$here/../build/userspace/swapmemctl}}
[ -x "$BIN" ] || { echo "Bail out! no $BIN: run make first"; exit 1; }
prog=${BIN##*/}		# messages name the program as it was called

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
root=$tmp/sys
SWAPMEMCTL_SYSFS=$root
SWAPMEMCTL_DEV=/dev
export SWAPMEMCTL_SYSFS SWAPMEMCTL_DEV

STATS="minor_faults major_faults zero_fill_faults ref_faults evictions_clean
evictions_dirty swap_reads swap_writes read_errors write_errors nomem_faults
hand_steps hand_sweeps second_chances discards frames_free frames_used
frames_dirty frames_pinned slots_used slots_bad slots_total retry_faults
readahead_pages readahead_hits readahead_wasted writeback_pages
writeback_batches slot_retries held_skips frames_held around_pages"

# swapmem0: 16M pool, no backing device; swapmem1: 1.5G on /dev/vdb
mkdev() {	# mkdev N POOL BACKING
	d=$root/swapmem$1
	mkdir -p "$d/stats"
	echo "$2" >"$d/pool_size"
	echo "$3" >"$d/backing_dev"
	echo overcommit >"$d/accounting"
	echo "[clock] fifo s3fifo" >"$d/policy"
	echo 1048576 >"$d/pin_limit"
	echo "$1" >"$d/nr_spaces"
	: >"$d/reset_stats"
	i=1
	for s in $STATS; do
		echo $((i * 10 + $1)) >"$d/stats/$s"
		i=$((i + 1))
	done
}
mkdev 0 16777216 none
mkdev 1 1610612736 /dev/vdb
: >"$root/hot_add"
: >"$root/hot_remove"
mkdir "$root/power"		# not a device: ignored

n=0
failed=0
ok() {		# ok NAME: the last check passed if $? is 0
	if [ "$1" = 0 ]; then
		n=$((n + 1)); echo "ok $n $2"
	else
		n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $2"
		[ -s "$tmp/out" ] && sed 's/^/# out: /' "$tmp/out"
		[ -s "$tmp/err" ] && sed 's/^/# err: /' "$tmp/err"
	fi
}
run() {		# run ARGS...: output to $tmp/out and $tmp/err, status in $rc
	"$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
runenv() {	# runenv VAR=VALUE "$BIN" ARGS...: run with VAR set
	env "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

run
grep -Eq '^NAME +POOL +BACKING +POLICY +ACCT +SPACES +USED +DIRTY +SLOTS +MAJFLT$' "$tmp/out" &&
	grep -Eq '^/dev/swapmem0 +16M +none +clock +overcommit +0 ' "$tmp/out" &&
	grep -Eq '^/dev/swapmem1 +1.5G +/dev/vdb ' "$tmp/out" &&
	[ "$(wc -l <"$tmp/out")" -eq 3 ] && [ $rc = 0 ]
ok $? "default listing: header and both devices"

run -o NAME,pool --raw -n
printf '/dev/swapmem0 16M\n/dev/swapmem1 1.5G\n' | cmp -s - "$tmp/out" && [ $rc = 0 ]
ok $? "-o NAME,pool --raw -n"

run -b -o name,pool,used --raw -n
printf '/dev/swapmem0 16777216 696320\n/dev/swapmem1 1610612736 700416\n' |
	cmp -s - "$tmp/out" && [ $rc = 0 ]
ok $? "-b prints bytes"

run -o +PINLIMIT,CHANCES
head -n 1 "$tmp/out" | grep -Eq '^NAME .* MAJFLT +PINLIMIT +CHANCES$'
ok $? "-o +LIST adds to the default columns"

run --output-all -n
[ "$(awk '{ print NF; exit }' "$tmp/out")" -eq 26 ] && [ $rc = 0 ]
ok $? "--output-all prints every column"

run -J
[ $rc = 0 ] && python3 -m json.tool "$tmp/out" >/dev/null
ok $? "-J is valid JSON"

python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["swapmem"]
assert [x["name"] for x in d] == ["/dev/swapmem0", "/dev/swapmem1"]
assert d[1]["pool"] == "1.5G" and d[1]["backing"] == "/dev/vdb"
assert d[0]["majflt"] == 20 and d[1]["spaces"] == 1
' "$tmp/out"
ok $? "-J: fields, strings for sizes, numbers for counters"

run -J -b -o name,pool,slots
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["swapmem"]
assert d[1]["pool"] == 1610612736 and d[0]["slots"] == 220 * 4096
' "$tmp/out"
ok $? "-J -b: sizes as JSON numbers"

printf '/dev/a "quoted"\\path\t\n' >"$root/swapmem1/backing_dev"
run -J -o name,backing
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["swapmem"]
assert d[1]["backing"] == "/dev/a \"quoted\"\\path\t", d[1]["backing"]
' "$tmp/out"
ok $? "-J escapes strings"
echo /dev/vdb >"$root/swapmem1/backing_dev"

run -o NAME,BOGUS
[ $rc = 1 ] && grep -q "unknown column: 'BOGUS'" "$tmp/err" && [ ! -s "$tmp/out" ]
ok $? "unknown column: error, exit 1"

run --stat swapmem0
good=0
i=1
for s in $STATS; do
	grep -qx "$s $((i * 10))" "$tmp/out" || good=1
	i=$((i + 1))
done
[ $good = 0 ] && [ $rc = 0 ] && [ "$(head -n 1 "$tmp/out")" = /dev/swapmem0 ] &&
	[ "$(wc -l <"$tmp/out")" -eq 33 ]
ok $? "--stat DEVICE prints every counter"

run --stat
[ $rc = 0 ] && [ "$(grep -c '^/dev/swapmem[01]$' "$tmp/out")" = 2 ] &&
	grep -qx 'slots_total 221' "$tmp/out"
ok $? "--stat with no device: every device"

# The live view: a counter that moves shows its delta, a gauge its value
"$BIN" --stat --interval 1 --count 2 /dev/swapmem1 >"$tmp/out" 2>"$tmp/err" &
pid=$!
i=0
while [ $i -lt 10 ] && ! grep -q '^State:.*S' /proc/$pid/status 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
echo 121 >"$root/swapmem1/stats/major_faults"	# from 21: +100
echo 999 >"$root/swapmem1/stats/frames_used"
wait $pid
rc=$?
[ $rc = 0 ] && [ "$(grep -c '^/dev/swapmem1$' "$tmp/out")" = 2 ] &&
	[ "$(grep '^major_faults ' "$tmp/out" | awk '{ s += $2 } END { print s }')" = 100 ] &&
	[ "$(grep -c '^minor_faults 0$' "$tmp/out")" = 2 ] &&
	[ "$(grep -c '^frames_used 999$' "$tmp/out")" = 2 ]
ok $? "--stat --interval 1 --count 2 prints deltas and gauges"

run swapmem0 --policy fifo
[ $rc = 0 ] && [ "$(cat "$root/swapmem0/policy")" = fifo ]
ok $? "DEVICE --policy fifo writes policy"

run /dev/swapmem0 --pool-size 32M --pin-limit 1G --accounting STRICT --backing-dev /dev/vdc
[ $rc = 0 ] && [ "$(cat "$root/swapmem0/pool_size")" = 33554432 ] &&
	[ "$(cat "$root/swapmem0/pin_limit")" = 1073741824 ] &&
	[ "$(cat "$root/swapmem0/accounting")" = strict ] &&
	[ "$(cat "$root/swapmem0/backing_dev")" = /dev/vdc ]
ok $? "DEVICE with several settings writes them all"

run swapmem1 --pool-size 64M --policy bogus
[ $rc = 1 ] && grep -q "invalid policy: 'bogus'" "$tmp/err" &&
	[ "$(cat "$root/swapmem1/policy")" = "[clock] fifo s3fifo" ] &&
	[ "$(cat "$root/swapmem1/pool_size")" = 1610612736 ]
ok $? "--policy bogus rejected before writing anything"

good=0
for size in 12abc -5M 1.5G 99999999999T '' 4X 4KB; do
	run swapmem1 --pool-size "$size"
	[ $rc = 1 ] && grep -q "pool size" "$tmp/err" || good=1
done
[ $good = 0 ] && [ "$(cat "$root/swapmem1/pool_size")" = 1610612736 ]
ok $? "sizes with garbage, negative or too large are rejected"

run swapmem1 --pool-size 2KiB
[ $rc = 0 ] && [ "$(cat "$root/swapmem1/pool_size")" = 2048 ]
ok $? "size suffix KiB"

run swapmem7 --policy fifo
[ $rc = 1 ] && grep -q '/dev/swapmem7: no such device' "$tmp/err"
ok $? "missing device: error naming it"

run --stat /dev/swapmem9
[ $rc = 1 ] && grep -q '/dev/swapmem9: no such device' "$tmp/err"
ok $? "--stat on a missing device"

run --reset-stats swapmem1
[ $rc = 0 ] && [ "$(cat "$root/swapmem1/reset_stats")" = 1 ]
ok $? "--reset-stats writes 1"

runenv SWAPMEMCTL_SYSFS="$tmp/nothing" "$BIN" --add --pool-size 1M
[ $rc = 1 ] && grep -q "$tmp/nothing: No such file or directory" "$tmp/err" &&
	grep -q 'swapmem module loaded' "$tmp/err"
ok $? "--add without the sysfs root: clear error"

runenv SWAPMEMCTL_SYSFS="$tmp/nothing" "$BIN" --remove swapmem0
[ $rc = 1 ] && grep -q "$tmp/nothing: No such file or directory" "$tmp/err"
ok $? "--remove without the sysfs root: clear error"

run --add
[ $rc = 1 ] && grep -q 'hot_add: unexpected answer' "$tmp/err"
ok $? "--add with a hot_add that answers nothing"

# A hot_add that names a device with no directory: setting fails, undone
echo 5 >"$root/hot_add"
run --add --policy fifo
[ $rc = 1 ] && grep -q '/dev/swapmem5: cannot set policy' "$tmp/err" &&
	[ "$(cat "$root/hot_remove")" = 5 ] && [ ! -s "$tmp/out" ]
ok $? "--add removes the new device when a setting fails"

run --remove
[ $rc = 1 ] && grep -q "Try '$prog --help'" "$tmp/err"
ok $? "--remove with no device is a usage error"

run --help
[ $rc = 0 ] && grep -q '^Usage:' "$tmp/out" && grep -q CHANCES "$tmp/out"
ok $? "--help exits 0"

run --version
[ $rc = 0 ] && grep -q "^$prog from swapmem" "$tmp/out"
ok $? "--version"

run --bogus
[ $rc = 1 ] && grep -qx "Try '$prog --help' for more information." "$tmp/err"
ok $? "bad option exits 1"

run --add --remove
[ $rc = 1 ] && grep -q 'mutually exclusive' "$tmp/err"
ok $? "two actions are a usage error"

run --stat --count 2
[ $rc = 1 ] && grep -q 'with --interval' "$tmp/err"
ok $? "--count without --interval is a usage error"

mkdir "$tmp/dev"
: >"$tmp/dev/swapmem0"
runenv SWAPMEMCTL_DEV="$tmp/dev" "$BIN" --info swapmem0
[ $rc = 1 ] && grep -q "$tmp/dev/swapmem0: SWAPMEM_IOC_INFO: not a swapmem device" "$tmp/err"
ok $? "--info on a file that is not a swapmem device"

run --advise bogus --length 4K swapmem0
[ $rc = 1 ] && grep -q "invalid advice: 'bogus'" "$tmp/err"
ok $? "--advise with bad advice"

run --advise pin --offset 1K --length 4K swapmem0
[ $rc = 1 ] && grep -q 'multiples of the page size' "$tmp/err"
ok $? "--advise with an unaligned offset"

sleep 5 7</dev/null &
pid=$!
run --advise pageout --length 8K --pid $pid --fd 7
[ $rc = 1 ] && grep -q "pid $pid fd 7: cannot advise pageout: not a swapmem device" "$tmp/err"
ok $? "--advise --pid takes the process's fd (pidfd_getfd)"
run --advise pageout --length 8K --pid $pid --fd 9
[ $rc = 1 ] && grep -q "pid $pid: cannot take fd 9" "$tmp/err"
ok $? "--advise --pid with an fd the process has not open"
kill $pid 2>/dev/null
wait $pid 2>/dev/null

echo "1..$n"
[ $failed = 0 ] || { echo "# $failed of $n failed"; exit 1; }
echo "# all $n passed"
