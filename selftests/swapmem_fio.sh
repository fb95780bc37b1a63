#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# swapmem selftests: fio jobs on /dev/swapmem0 (selftests/fio/*.fio).
# Each job's first line names the module parameters it runs with. A job
# passes when fio passes (verify_fatal) and the counters show that it paged:
# evictions and major faults happened, and no I/O error. Output is TAP.
ko=${SWAPMEM_KO:?SWAPMEM_KO names swapmem.ko}
dir=$(cd "$(dirname "$0")" && pwd)/fio
stats=/sys/class/swapmem/swapmem0/stats
export SWAPMEM_DISK=${SWAPMEM_DISK:-/dev/vda} SWAPMEM_DISK3=${SWAPMEM_DISK3:-/dev/vdc}

jobs=$(ls "$dir"/*.fio)
echo "TAP version 13"
echo "1..$(echo "$jobs" | wc -l)"
n=0 fails=0
for job in $jobs; do
	n=$((n + 1))
	name=$(basename "$job" .fio)
	params=$(sed -n '1s/^; swapmem: //p' "$job")
	params=$(eval echo "$params")
	# optional: "; setup: CMD" after loading, "; during: CMD" while fio runs
	setup=$(sed -n 's/^; setup: //p' "$job")
	during=$(sed -n 's/^; during: //p' "$job")
	ok=1
	pid=
	if ! insmod "$ko" $params; then
		echo "# insmod $params failed"
		ok=0
	elif [ -n "$setup" ] && ! sh -c "$setup"; then
		echo "# setup failed: $setup"
		ok=0
	else
		[ -z "$during" ] || { sh -c "$during" & pid=$!; }
	fi
	if [ $ok = 0 ]; then
		:
	elif ! fio --output-format=normal "$job" >/tmp/fio.$$ 2>&1; then
		grep -Ei 'err|verify|bad' /tmp/fio.$$ | head -n 20 | sed 's/^/# /'
		ok=0
	else
		grep -E 'IOPS=|lat.*avg' /tmp/fio.$$ | head -n 4 | sed 's/^/# /'
		ev=$(($(cat $stats/evictions_dirty) + $(cat $stats/evictions_clean)))
		major=$(cat $stats/major_faults)
		errs=$(($(cat $stats/read_errors) + $(cat $stats/write_errors)))
		echo "# evictions $ev, major faults $major, I/O errors $errs"
		[ "$ev" -gt 0 ] && [ "$major" -gt 0 ] && [ "$errs" = 0 ] || ok=0
	fi
	[ -z "$pid" ] || { kill $pid; wait $pid 2>/dev/null; }
	grep -q '^swapmem ' /proc/modules && { rmmod swapmem || ok=0; }
	rm -f /tmp/fio.$$
	if [ $ok = 1 ]; then echo "ok $n fio $name"; else echo "not ok $n fio $name"; fails=$((fails + 1)); fi
done
[ $fails = 0 ]
