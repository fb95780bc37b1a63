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
SWAPMEM_DISK=$(disk 1) SWAPMEM_DISK2=$(disk 2) SWAPMEM_DISK3=$(disk 3)
export SWAPMEM_DISK=${SWAPMEM_DISK:-/dev/vda} SWAPMEM_DISK2=${SWAPMEM_DISK2:-/dev/vdb}
# a third disk backs a second device in the fio jobs
export SWAPMEM_DISK3=${SWAPMEM_DISK3:-/dev/vdc}
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

# Kernels with kmemleak (the debug lane): forget what boot leaked, so that
# the scan at the end reports only what the tests leaked.
kmemleak=/sys/kernel/debug/kmemleak
if [ -w $kmemleak ]; then
	echo scan >$kmemleak
	echo clear >$kmemleak
fi

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
if want swapmem_around; then
	count swapmem_around "$bin/swapmem_around"
fi
if want swapmem_layout; then
	count swapmem_layout "$bin/swapmem_layout"
fi
if want swapmem_ioctl; then
	count swapmem_ioctl "$bin/swapmem_ioctl"
	count swapmem_ioctl_32 "$bin/swapmem_ioctl_32"
fi
if want swapmem_sysfs; then
	count swapmem_sysfs "$bin/swapmem_sysfs"
fi
if want swapmem_sizes; then
	count swapmem_sizes "$bin/swapmem_sizes"
fi
if want privilege; then
	count privilege sh "$top/selftests/swapmem_privilege.sh"
fi
if want swapmem_limits; then
	count swapmem_limits "$bin/swapmem_limits"
fi
if want swapmem_errors; then
	count swapmem_errors "$bin/swapmem_errors"
fi
if want swapmem_races; then
	count swapmem_races "$bin/swapmem_races"
fi
if want swapmem_gup; then
	count swapmem_gup "$bin/swapmem_gup"
fi
if want swapmemctl; then
	count swapmemctl sh "$top/selftests/swapmemctl.sh"
fi
if want fio; then
	count fio sh "$top/selftests/swapmem_fio.sh"
fi

leaks() {	# TAP: one test, no new kmemleak report
	echo "1..1"
	echo scan >$kmemleak
	sleep 1
	echo scan >$kmemleak
	if grep -q 'unreferenced object' $kmemleak; then
		sed 's/^/# /' $kmemleak | head -n 60
		echo "not ok 1 kmemleak finds no leak after the tests"
	else
		echo "ok 1 kmemleak finds no leak after the tests"
	fi
}
if [ -w $kmemleak ] && [ -z "$only" ]; then
	count kmemleak leaks
fi

rm -f "$log"
echo "$pass $fail $skip" >"${SWAPMEM_VM_OUT:-/tmp}/counts"
echo "$lane: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
