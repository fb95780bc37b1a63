#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Host tests of swapmem-sim: traces with misses counted by hand, generated
# workloads, bad input and bad arguments. No module, no root.
# TAP output; exits non-zero if any test fails.
#
#   sh sim-tests.sh [path/to/swapmem-sim]

here=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-${SWAPMEM_SIM:-$here/../build/userspace/swapmem-sim}}
[ -x "$BIN" ] || { echo "Bail out! no $BIN: run make first"; exit 1; }
prog=${BIN##*/}		# messages name the program as it was called

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
ok() {		# ok STATUS NAME: the last check passed if STATUS is 0
	if [ "$1" = 0 ]; then
		n=$((n + 1)); echo "ok $n - $2"
	else
		n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $2"
		[ -s "$tmp/out" ] && head -n 20 "$tmp/out" | sed 's/^/# out: /'
		[ -s "$tmp/err" ] && head -n 20 "$tmp/err" | sed 's/^/# err: /'
	fi
}
run() {		# run ARGS...: output to $tmp/out and $tmp/err, status in $rc
	"$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
misses() {	# misses POLICY: the misses of POLICY in $tmp/out
	sed -n "s/^policy=$1 .* misses=\([0-9]*\) .*/\1/p" "$tmp/out"
}
expect() {	# expect POLICY=MISSES...: $tmp/out has those, and the run passed
	[ $rc = 0 ] || return 1
	for pm in "$@"; do
		[ "$(misses "${pm%=*}")" = "${pm#*=}" ] || return 1
	done
}
pages() {	# pages FILE: the pages an iolog reads, one a line
	awk '$2 == "read" { printf "%d\n", $3 / 4096 }' "$1"
}

# The classic reference string of Belady's anomaly
printf '%s\n' 1 2 3 4 1 2 5 1 2 3 4 5 >"$tmp/classic"

run sim --frames 3 "$tmp/classic"
cat >"$tmp/want" <<EOF
policy=clock frames=3 refs=12 misses=9 hit_ratio=0.2500
policy=lru frames=3 refs=12 misses=10 hit_ratio=0.1667
policy=fifo frames=3 refs=12 misses=9 hit_ratio=0.2500
policy=s3fifo frames=3 refs=12 misses=11 hit_ratio=0.0833
policy=opt frames=3 refs=12 misses=7 hit_ratio=0.4167
EOF
[ $rc = 0 ] && cmp -s "$tmp/want" "$tmp/out"
ok $? "classic string, 3 frames: CLOCK 9, LRU 10, FIFO 9, S3-FIFO 11, OPT 7, in that order"

# CLOCK by hand, 3 frames ([page ref] per frame, h = hand):
#   1 2 3     fill frames 0-2, hand stays at 0: [1 1][2 1][3 1] h0
#   4         hand clears 0, 1, 2, takes 0:     [4 1][2 0][3 0] h1
#   1         takes 1:                          [4 1][1 1][3 0] h2
#   2         takes 2:                          [4 1][1 1][2 1] h0
#   5         clears all, takes 0:              [5 1][1 0][2 0] h1
#   1 2       hits set REF:                     [5 1][1 1][2 1] h1
#   3         clears 1, 2, 0, takes 1:          [5 0][3 1][2 0] h2
#   4         takes 2:                          [5 0][3 1][4 1] h0
#   5         hit                               9 misses
# and 4 frames:
#   1 2 3 4   fill:                             [1 1][2 1][3 1][4 1] h0
#   1 2       hits
#   5         clears all, takes 0:              [5 1][2 0][3 0][4 0] h1
#   1 2 3     take 1, 2, 3:                     [5 1][1 1][2 1][3 1] h0
#   4         clears all, takes 0:              [4 1][1 0][2 0][3 0] h1
#   5         takes 1                           10 misses
run sim --frames 4 "$tmp/classic"
expect clock=10 lru=8 fifo=10 s3fifo=9 opt=6
ok $? "classic string, 4 frames: FIFO 10 (Belady's anomaly), CLOCK 10, LRU 8, S3-FIFO 9, OPT 6"

# S3-FIFO by hand, 3 frames: the small queue may hold 1 (a tenth, at least
# 1). S = small queue, M = main queue, oldest first; s = sampled (after
# its first turn in S: unmapped, REF clear), r = REF, (g) = a ghost.
#   1 2 3     fill S:                           S 1 2 3
#   4         samples 1, 2, 3, evicts 1 (g):    S 2s 3s 4
#   1 (g)     S > 1: evicts 2 (g); 1 to M:      S 3s 4      M 1r
#   2 (g)     evicts 3 (g); 2 to M:             S 4         M 1r 2r
#   5         S = 1: M spares 1 and 2, and its second round takes 1:
#                                               S 4 5       M 2
#   1         samples 4 and 5, evicts 4 (g):    S 5s 1      M 2
#   2         unmapped: a minor fault sets REF: S 5s 1      M 2r
#   3 (g)     evicts 5 (g):                     S 1         M 2r 3r
#   4 (g)     M spares 2 and 3, takes 2:        S 1         M 3 4r
#   5 (g)     takes 3 (REF clear)               11 misses
run sim --frames 3 --policy s3fifo "$tmp/classic"
[ $rc = 0 ] && [ "$(cat "$tmp/out")" = "policy=s3fifo frames=3 refs=12 misses=11 hit_ratio=0.0833" ]
ok $? "--policy s3fifo prints one line: the classic string by hand, 11 misses"

# S3-FIFO as the module runs it, 4 frames (S may hold 1), re-worked by
# hand for the module's promotion that unmaps the page (M's frames as
# S's, s and r as above; a frame moved to M is unmapped, its REF clear):
#   1 2 3 4   fill S:                           S 1 2 3 4
#   5         samples 1-4, evicts 1 (g):        S 2s 3s 4s 5
#   2 3       minor faults set REF:             S 2sr 3sr 4s 5
#   6         2 and 3 to M, unmapped; evicts 4 (g):
#                                               S 5 6       M 2 3
#   2         unmapped: a minor fault sets REF: S 5 6       M 2r 3
#   1 (g)     samples 5 and 6, evicts 5; 1 to M: S 6s       M 2r 3 1r
#   7         S = 1: M spares 2, takes 3:       S 6s 7      M 1r 2
#   2         unmapped: a minor fault, a hit    8 misses
# (When the move to M left the page mapped, the 2 after 6 went unseen and
# 7 took 2, which then missed: 9.)
printf '%s\n' 1 2 3 4 5 2 3 6 2 1 7 2 >"$tmp/s3"
run sim --frames 4 --policy s3fifo "$tmp/s3"
expect s3fifo=8
ok $? "S3-FIFO: a page moved to the main queue is unmapped, its use there shows, 8 misses"

# The same string as iologs, by hand. Read only, no page has a slot and
# none leaves a ghost: 1 comes back into S (S 6s 1, M 2r 3; 5 evicted),
# 7 evicts 6 from S, and 2 stays: 8 misses. With 1-4 written first (dirty,
# so 1 and 4 get a slot when they go) 1 comes back as a ghost, as in the
# page list: 8 again (5, 6, 7 have no slot, but never come back).
s3log() {	# s3log FILE N...: FILE's pages as an iolog whose references N... write
	echo "fio version 2 iolog"
	i=0
	f=$1
	shift
	for p in $(cat "$f"); do
		i=$((i + 1))
		act=read
		for w in "$@"; do
			[ $i = "$w" ] && act=write
		done
		echo "/dev/swapmem0 $act $((p * 4096)) 4096"
	done
}
# A write to a page mapped read-only faults (->page_mkwrite) and makes it
# dirty: it gets a slot when it goes, and leaves a ghost. By hand, 4
# frames, the second 1 a read or a write to the page its read mapped:
#   1 1 2 3 4 fill S:                           S 1 2 3 4
#   5         samples 1-4, evicts 1: a ghost only if written
#   1         evicts 2 (no slot); a ghost to M: S 3s 4s 5    M 1
#                                      else to S: S 3s 4s 5 1
#   6 7       evict 3, then 4:                  S 5 6 7      M 1
#                                               S 5 1 6 7
#   8         samples 5, 6, 7, evicts 5:        S 6s 7s 8    M 1
#             samples 5, 1, 6, 7, evicts 5:     S 1s 6s 7s 8
#   9         evicts 6:                         S 7s 8 9     M 1
#             evicts 1 (unreferenced):          S 6s 7s 8 9
#   1         a hit in M: 10 misses; a miss: 11
printf '%s\n' 1 1 2 3 4 5 1 6 7 8 9 1 >"$tmp/mkw"
s3log "$tmp/s3" >"$tmp/s3-r"
s3log "$tmp/s3" 1 2 3 4 >"$tmp/s3-w"
s3log "$tmp/mkw" >"$tmp/mkw-r"
s3log "$tmp/mkw" 2 >"$tmp/mkw-w"
good=0
for fm in s3-r=8 s3-w=8 mkw-r=11 mkw-w=10 mkw=10; do
	run sim --frames 4 "$tmp/${fm%=*}"
	expect s3fifo=${fm#*=} || { echo "# ${fm%=*}: $(misses s3fifo)"; good=1; }
done
[ $good = 0 ]
ok $? "S3-FIFO: no ghost without a slot; a write to a read-only page makes it dirty"

# 1 2 3 fill; 4 clears all, takes frame 0 ([4 1][2 0][3 0], hand 1); 2 is
# a hit and sets REF; 5: the hand spares 2 and takes frame 2 (3); 2 hits.
# FIFO evicts 2 for 5 and misses it again.
printf '%s\n' 1 2 3 4 2 5 2 >"$tmp/chance"
run sim --frames 3 "$tmp/chance"
expect clock=5 lru=5 fifo=6 opt=5
ok $? "CLOCK gives a hit page a second chance, FIFO does not"

run sim --frames 3 --policy opt "$tmp/classic"
[ $rc = 0 ] && [ "$(cat "$tmp/out")" = "policy=opt frames=3 refs=12 misses=7 hit_ratio=0.4167" ]
ok $? "--policy opt prints one line"

run sim --frames 3 --csv "$tmp/classic"
printf '%s\n' policy,frames,refs,misses,hit_ratio clock,3,12,9,0.2500 \
	lru,3,12,10,0.1667 fifo,3,12,9,0.2500 s3fifo,3,12,11,0.0833 \
	opt,3,12,7,0.4167 >"$tmp/want"
[ $rc = 0 ] && cmp -s "$tmp/want" "$tmp/out"
ok $? "--csv: header and one row a policy"

# the lab names its rows after the policy column: exactly "s3fifo"
run sim --frames 3 --csv --policy s3fifo "$tmp/classic"
printf '%s\n' policy,frames,refs,misses,hit_ratio s3fifo,3,12,11,0.0833 >"$tmp/want"
[ $rc = 0 ] && cmp -s "$tmp/want" "$tmp/out"
ok $? "--csv --policy s3fifo: the header and one s3fifo row"

run sim --frames 1000 "$tmp/classic"
expect clock=5 lru=5 fifo=5 s3fifo=5 opt=5
ok $? "more frames than pages: one miss a page"

"$BIN" sim --frames 3 - <"$tmp/classic" >"$tmp/out" 2>"$tmp/err"
rc=$?
expect clock=9 lru=10 fifo=9 s3fifo=11 opt=7
ok $? "- reads standard input"

# A write over pages 0 and 1, a sync, a short read, a read of three pages
cat >"$tmp/iolog" <<EOF
fio version 2 iolog
/dev/swapmem0 add
/dev/swapmem0 open
/dev/swapmem0 write 2048 4096
/dev/swapmem0 read 4096 4096
/dev/swapmem0 read 8192 1
/dev/swapmem0 sync 0 0
/dev/swapmem0 read 0 12288
/dev/swapmem0 close
EOF
run sim --frames 1 "$tmp/iolog"
grep -q ' refs=7 ' "$tmp/out" && expect clock=6 lru=6 fifo=6 opt=6
ok $? "iolog v2: a write spanning two pages references both"

printf '%s\n' 0 1 1 2 0 1 2 >"$tmp/plain"
run sim --frames 2 "$tmp/iolog"
cp "$tmp/out" "$tmp/out.iolog"
run sim --frames 2 "$tmp/plain"
[ $rc = 0 ] && cmp -s "$tmp/out" "$tmp/out.iolog"
ok $? "iolog v2 and the same pages one a line agree"

awk 'NR == 1 { print "fio version 3 iolog"; next } { print NR * 10, $0 }' \
	"$tmp/iolog" >"$tmp/iolog3"
run sim --frames 2 "$tmp/iolog3"
[ $rc = 0 ] && cmp -s "$tmp/out" "$tmp/out.iolog"
ok $? "iolog v3, with timestamps"

cat >"$tmp/two" <<EOF
fio version 2 iolog
/a add
/b add
/a read 0 4096
/b read 0 4096
/a read 0 4096
EOF
run sim --frames 2 "$tmp/two"
grep -q ' refs=3 ' "$tmp/out" && expect clock=2 opt=2
ok $? "iolog: page 0 of two files are two pages"

run sim --frames 4 /dev/null
[ $rc = 0 ] && grep -q '^policy=clock frames=4 refs=0 misses=0 hit_ratio=0.0000$' "$tmp/out"
ok $? "empty trace"

sed 's/read 8192 1$/read 8192 0/' "$tmp/iolog" >"$tmp/bad"
run sim --frames 2 "$tmp/bad"
[ $rc = 1 ] && [ ! -s "$tmp/out" ] &&
	grep -q "^$prog: $tmp/bad:6: read of length 0$" "$tmp/err"
ok $? "read of length 0: error naming the line, exit 1"

sed 's/read 4096 4096$/read 4096 4096 junk/' "$tmp/iolog" >"$tmp/bad"
run sim --frames 2 "$tmp/bad"
[ $rc = 1 ] && [ ! -s "$tmp/out" ] && grep -q "$tmp/bad:5: not an iolog line" "$tmp/err"
ok $? "iolog line with too many fields: error, exit 1"

sed 's/read 4096 4096$/read 4k 4096/' "$tmp/iolog" >"$tmp/bad"
run sim --frames 2 "$tmp/bad"
[ $rc = 1 ] && grep -q "$tmp/bad:5: invalid offset: '4k'" "$tmp/err"
ok $? "iolog line with a bad offset: error, exit 1"

sed 's/read 4096 4096$/erase 4096 4096/' "$tmp/iolog" >"$tmp/bad"
run sim --frames 2 "$tmp/bad"
[ $rc = 1 ] && grep -q "$tmp/bad:5: unknown I/O action: 'erase'" "$tmp/err"
ok $? "iolog line with an unknown action: error, exit 1"

printf '1\n2\nthree\n' >"$tmp/bad"
run sim --frames 2 "$tmp/bad"
[ $rc = 1 ] && grep -q "$tmp/bad:3: not a page number" "$tmp/err"
ok $? "page list with garbage: error, exit 1"

printf 'fio version 9 iolog\n' >"$tmp/bad"
run sim --frames 2 "$tmp/bad"
[ $rc = 1 ] && grep -q "unsupported iolog" "$tmp/err"
ok $? "unknown iolog version: error, exit 1"

run sim --frames 2 "$tmp/nonexistent"
[ $rc = 1 ] && grep -q "^$prog: cannot open $tmp/nonexistent: No such file" "$tmp/err"
ok $? "missing trace file: error, exit 1"

# Generated workloads
run gen --workload zipf --pages 2000 --ops 30000 --seed 3
cp "$tmp/out" "$tmp/zipf"
good=0
for f in 16 100 500; do
	run sim --frames $f "$tmp/zipf"
	o=$(misses opt)
	[ $rc = 0 ] && [ -n "$o" ] || good=1
	for p in clock lru fifo s3fifo; do
		m=$(misses $p)
		[ -n "$m" ] && [ "$o" -le "$m" ] || good=1
	done
done
[ $good = 0 ]
ok $? "zipf trace: OPT <= CLOCK, LRU, FIFO, S3-FIFO with 16, 100 and 500 frames"

# A Zipf law with exponent 1.2 over 2000 pages gives its top page about a
# quarter of the references; uniform would give it well under 1%.
top=$(pages "$tmp/zipf" | sort | uniq -c | sort -rn | awk 'NR == 1 { print $1 }')
[ -n "$top" ] && [ "$top" -gt 5000 ]
ok $? "zipf: the most popular page has a large share ($top of 30000)"

good=0
for w in uniform zipf scanhot loop; do
	"$BIN" gen --workload $w --pages 1000 --ops 5000 --seed 42 >"$tmp/a" &&
		"$BIN" gen --workload $w --pages 1000 --ops 5000 --seed 42 >"$tmp/b" &&
		cmp -s "$tmp/a" "$tmp/b" || good=1
done
[ $good = 0 ]
ok $? "gen: same seed, same output (every workload)"

good=0
for w in uniform zipf scanhot; do
	"$BIN" gen --workload $w --pages 1000 --ops 5000 --seed 42 >"$tmp/a" &&
		"$BIN" gen --workload $w --pages 1000 --ops 5000 --seed 43 >"$tmp/b" &&
		! cmp -s "$tmp/a" "$tmp/b" || good=1
done
[ $good = 0 ]
ok $? "gen: different seed, different output (uniform, zipf, scanhot)"

"$BIN" gen --workload uniform --pages 1000 --ops 500 >"$tmp/a" &&
	"$BIN" gen --workload uniform --pages 1000 --ops 500 --seed 1 >"$tmp/b" &&
	cmp -s "$tmp/a" "$tmp/b"
ok $? "gen: the default seed is 1"

run gen --workload uniform --pages 100 --ops 250 --populate
[ $rc = 0 ] && [ "$(wc -l <"$tmp/out")" -eq 354 ] &&
	[ "$(sed -n 1p "$tmp/out")" = "fio version 2 iolog" ] &&
	[ "$(sed -n 2p "$tmp/out")" = "/dev/swapmem0 add" ] &&
	[ "$(sed -n 3p "$tmp/out")" = "/dev/swapmem0 open" ] &&
	[ "$(grep -c '^/dev/swapmem0 write [0-9]* 4096$' "$tmp/out")" -eq 100 ] &&
	[ "$(grep -c '^/dev/swapmem0 read [0-9]* 4096$' "$tmp/out")" -eq 250 ] &&
	[ "$(tail -n 1 "$tmp/out")" = "/dev/swapmem0 close" ] &&
	awk 'NR >= 4 && NR < 104 && ($2 != "write" || $3 != (NR - 4) * 4096) { exit 1 }' "$tmp/out"
ok $? "gen --populate: header, add, open, 100 writes in order, 250 reads, close"

run gen --workload loop --pages 100 --ops 250 --file /tmp/f
[ $rc = 0 ] && [ "$(wc -l <"$tmp/out")" -eq 254 ] &&
	[ "$(grep -c '^/tmp/f read [0-9]* 4096$' "$tmp/out")" -eq 250 ]
ok $? "gen without --populate, with --file"

good=0
for w in uniform zipf scanhot loop; do
	"$BIN" gen --workload $w --pages 37 --ops 3000 >"$tmp/a" || good=1
	awk '$2 == "read" && ($3 % 4096 || $3 < 0 || $3 >= 37 * 4096) { exit 1 }' "$tmp/a" ||
		good=1
	[ "$(pages "$tmp/a" | sort -u | wc -l)" -eq 37 ] || good=1
done
[ $good = 0 ]
ok $? "gen: every workload reads aligned pages of the range, and all of them"

# scanhot, 64 pages: hot pages 0-3, the scan goes 4, 5, ..., 63, 4, ...
run gen --workload scanhot --pages 64 --ops 4000
pages "$tmp/out" >"$tmp/a"
hot=$(awk '$1 < 4' "$tmp/a" | wc -l)
awk '$1 >= 4 { if (n++ && $1 != (prev - 3) % 60 + 4) exit 1; prev = $1 }' "$tmp/a" &&
	[ "$hot" -gt 1800 ] && [ "$hot" -lt 2200 ]
ok $? "scanhot: half the reads hot, the rest a sequential scan ($hot hot)"

run gen --workload scanhot --pages 64 --ops 1000 --hot 10 --scan 5
pages "$tmp/out" | sort -un | tr '\n' ' ' >"$tmp/a"
[ $rc = 0 ] && [ "$(cat "$tmp/a")" = "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 " ]
ok $? "scanhot --hot 10 --scan 5: pages 0-9 and 10-14 only"

# Scan resistance: 60 hot pages fit in S3-FIFO's main queue (90 of 100
# frames), where the scan, each page used once a lap, never gets. Only
# read, no page leaves a ghost, and S3-FIFO comes within 5% of OPT; written
# first, the scan's pages come back as ghosts (the module forgets none),
# into the main queue, and S3-FIFO still misses less than CLOCK and FIFO.
good=0
for pop in '' --populate; do
	"$BIN" gen --workload scanhot --pages 2000 --hot 60 --ops 20000 --seed 5 \
		$pop >"$tmp/scanhot" && run sim --frames 100 "$tmp/scanhot"
	s3=$(misses s3fifo)
	[ $rc = 0 ] && [ -n "$s3" ] || good=1
	for p in clock lru fifo; do
		m=$(misses $p)
		[ -n "$m" ] && [ "$s3" -lt "$m" ] || good=1
	done
	[ -n "$pop" ] || [ $((s3 * 100)) -le $(($(misses opt) * 105)) ] || good=1
	echo "# scanhot ${pop:-read only}: clock $(misses clock) fifo $(misses fifo) s3fifo $s3 opt $(misses opt)"
done
[ $good = 0 ]
ok $? "scanhot: S3-FIFO misses less than CLOCK, LRU and FIFO"

run gen --workload loop --pages 5 --ops 12
[ "$(pages "$tmp/out" | tr '\n' ' ')" = "0 1 2 3 4 0 1 2 3 4 0 1 " ]
ok $? "loop: 0, 1, ..., N-1, 0, 1, ..."

"$BIN" gen --workload loop --pages 65 --ops 1000 >"$tmp/loop" &&
	run sim --frames 64 "$tmp/loop"
expect lru=1000 clock=1000 fifo=1000 && [ "$(misses opt)" -lt 100 ]
ok $? "loop of F+1 pages: LRU, CLOCK and FIFO miss every time, OPT does not"

# S3-FIFO too: pages only ever read leave no ghost, and a loop is a scan
expect s3fifo=1000
ok $? "loop of F+1 pages never written: S3-FIFO misses every time too"

# Written first, each page leaves the small queue a ghost and comes back
# into the main one: S3-FIFO keeps most of the loop. Each page moved
# there is unmapped, so its use a lap later shows: when the hand comes
# round, every page in the main queue is referenced, the search spares
# them all and takes the oldest, in a loop the page used next, and the
# next searches take the pages after it (a run of misses, as with CLOCK),
# until pages of the small queue, unreferenced at their second turn, go
# as ghosts. After the writes (65 misses) and the first lap of reads
# (59), about 9 in every 72 references miss. Too long to count by hand:
# 241 is the simulator's, checked against a separate model of
# module/policy_s3fifo.c (183 when the move to the main queue left the
# page mapped, its uses unseen).
"$BIN" gen --workload loop --pages 65 --ops 1000 --populate >"$tmp/loop" &&
	run sim --frames 64 "$tmp/loop"
expect lru=1065 clock=1065 fifo=1065 s3fifo=241 && [ "$(misses opt)" -lt 241 ]
ok $? "loop of F+1 pages written first: S3-FIFO 241 misses, LRU, CLOCK, FIFO 1065"

good=0
for pages in 64 40 1; do
	"$BIN" gen --workload loop --pages $pages --ops 1000 >"$tmp/loop" &&
		run sim --frames 64 "$tmp/loop"
	expect lru=$pages clock=$pages fifo=$pages s3fifo=$pages opt=$pages ||
		good=1
done
[ $good = 0 ]
ok $? "loop of N <= F pages: exactly N misses"

"$BIN" gen --workload zipf --pages 5000 --ops 20000 --populate |
	"$BIN" sim --frames 100000 - >"$tmp/out" 2>"$tmp/err"
rc=$?
expect clock=5000 lru=5000 fifo=5000 s3fifo=5000 opt=5000 &&
	grep -q ' refs=25000 ' "$tmp/out"
ok $? "gen | sim: populated pages all fit, one miss each"

run --help
[ $rc = 0 ] && grep -q '^Usage:' "$tmp/out" && grep -q 'swapmem-sim sim --frames' "$tmp/out"
ok $? "--help"

good=0
for args in '' 'bogus' 'gen' 'gen --workload uniform --pages 10' \
	'gen --workload bogus --pages 10 --ops 1' \
	'gen --workload uniform --pages 0 --ops 1' \
	'gen --workload uniform --pages ten --ops 1' \
	'gen --workload uniform --pages 10 --ops -1' \
	'gen --workload uniform --pages 4294967297 --ops 1' \
	'gen --workload uniform --pages 10 --ops 1 --seed x' \
	'gen --workload uniform --pages 10 --ops 1 --theta 1' \
	'gen --workload zipf --pages 10 --ops 1 --theta -1' \
	'gen --workload zipf --pages 10 --ops 1 --theta nan' \
	'gen --workload zipf --pages 10 --ops 1 --hot 2' \
	'gen --workload scanhot --pages 1 --ops 1' \
	'gen --workload scanhot --pages 10 --ops 1 --hot 10' \
	'gen --workload scanhot --pages 10 --ops 1 --hot 0' \
	'gen --workload scanhot --pages 10 --ops 1 --hot 4 --scan 7' \
	'gen --workload loop --pages 10 --ops 1 --file a\ b' \
	'gen --workload loop --pages 10 --ops 1 extra' \
	'gen --workload loop --pages 10 --ops 1 --bogus' \
	"sim $tmp/classic" "sim --frames 0 $tmp/classic" \
	"sim --frames x $tmp/classic" "sim --frames 3" \
	"sim --frames 3 $tmp/classic $tmp/classic" \
	"sim --frames 3 --policy lfu $tmp/classic" \
	"sim --frames 3 --bogus $tmp/classic"; do
	eval "set -- $args"
	run "$@"
	if [ $rc != 2 ] || ! grep -q "^$prog: " "$tmp/err" || [ -s "$tmp/out" ]; then
		echo "# exit $rc for: $args"
		good=1
	fi
done
[ $good = 0 ]
ok $? "bad arguments: a message, exit 2"

echo "1..$n"
[ $failed = 0 ] || { echo "# $failed of $n failed"; exit 1; }
echo "# all $n passed"
