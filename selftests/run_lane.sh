#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs every swapmem test inside a lab guest (scripts/vm-run), on the lane's
# own swapmem.ko: the shell tests, the kselftest-harness programs and the
# fio jobs. Each prints TAP; this script counts the results, prints them as
# "N passed, N failed, N skipped" and leaves them in $SWAPMEM_VM_OUT/counts.
#   selftests/run_lane.sh [TEST...]     (default: all)
top=$(cd "$(dirname "$0")/.." && pwd)
lane=${SWAPMEM_VM_LANE:?run me inside scripts/vm-run}
export SWAPMEM_KO=$top/build/$lane/swapmem.ko
# scratch disks: the first backs the device, the second is for the
# device-mapper tests that make it fail
disk() { echo "${SWAPMEM_VM_DISKS:-}" | awk -v n="$1" '{ print $n }'; }
SWAPMEM_DISK=$(disk 1) SWAPMEM_DISK2=$(disk 2)
export SWAPMEM_DISK=${SWAPMEM_DISK:-/dev/vda} SWAPMEM_DISK2=${SWAPMEM_DISK2:-/dev/vdb}
bin=$top/build/selftests
log=$(mktemp)
pass=0 fail=0 skip=0

# count NAME COMMAND...: runs one TAP producer and adds up its results.
count() {
	name=$1
	shift
	echo "# === $name"
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -Ec '^ok [0-9]+' "$log")
	s=$(grep -Ec '^ok [0-9]+.*# SKIP' "$log")
	f=$(grep -Ec '^not ok [0-9]+' "$log")
	p=$((p - s))
	# A producer that died without saying why still fails once.
	if [ $rc -ne 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $name exited $rc"
		f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	echo "# === $name: $p passed, $f failed, $s skipped ($(($(date +%s) - start))s)"
}

want() { [ -z "$only" ] || echo " $only " | grep -q " $1 "; }
only="$*"

if want module; then
	count module sh "$top/selftests/swapmem_module.sh"
fi
if want swapmem_test; then
	insmod "$SWAPMEM_KO" || echo "# insmod failed"
	count swapmem_test "$bin/swapmem_test"
	rmmod swapmem || echo "# rmmod failed"
fi
if want swapmem_paging; then
	count swapmem_paging "$bin/swapmem_paging"
fi
if want fio; then
	count fio sh "$top/selftests/swapmem_fio.sh"
fi

rm -f "$log"
echo "$pass $fail $skip" >"${SWAPMEM_VM_OUT:-/tmp}/counts"
echo "$lane: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
