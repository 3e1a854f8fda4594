#!/usr/bin/env bash
# Issue 16's verdict benchmark, one run (docs/benchmarks.md, "User-mode verdicts"):
#   - nbl4j: UserVerdictBench, the seed-000 sample on a router over in-memory adapters, its device a Unix-domain socket,
#     the verdict application a separate C process (bench/native/verdict_client.c) that permits every packet, asking
#     for one packet per RECEIVE IOCTL, for as many as fit (batched), and through a ring area it shares with the driver
#     (batched in shared memory: IOCTL_USERVERDICT_ATTACH_RING over a mapped buffer, docs/devices.md);
#   - Linux NFQUEUE: bench/native/nfq_verdicts.c over libnetfilter_queue accepting every packet, per packet
#     (nfq_set_verdict) and batched (nfq_set_verdict_batch), the traffic a UDP loop inside a network namespace of its
#     own (192.0.2.1, lo) with an iptables NFQUEUE rule on its output path; and the same loop without the rule.
# Every row keeps at most WINDOW packets between sending and arrival and measures SECONDS after WARMUP seconds. Each row
# runs REPEAT times, the nbl4j and NFQUEUE rows taking turns; the table shows the run with the median rate and the range
# (this VM moves the same code by a third from run to run: docs/benchmarks.md).
# Needs root (the namespace), cc, libnetfilter-queue-dev and iptables (scripts/install-test-tools.sh installs them).
#
#     scripts/verdict-bench.sh [WINDOW [WARMUP [SECONDS [REPEAT]]]]      defaults: 128 12 5 3 (the JIT needs the warm-up)
set -euo pipefail
cd "$(dirname "$0")/.."
WINDOW=${1:-128}
WARMUP=${2:-12}
SECONDS_MEASURED=${3:-5}
REPEAT=${4:-3}
QUEUE=0
PORT=9999
NAMESPACE=nbl4j-verdict-bench-$$
OUT=bench/target/native
mkdir -p "$OUT"

# shellcheck source=scripts/find-jdk.sh
source scripts/find-jdk.sh
JAVA="$(nbl4j_find_jdk)/bin/java"
if [[ ! -f bench/target/benchmarks.jar ]]; then
    ./mvnw -q -o -pl bench -am package -DskipTests
fi
cc -O2 -Wall -o "$OUT/verdict_client" bench/native/verdict_client.c
cc -O2 -Wall -o "$OUT/nfq_verdicts" bench/native/nfq_verdicts.c -lnetfilter_queue -lnfnetlink -lpthread -lm
IPTABLES=$(command -v iptables-legacy || command -v iptables)

queue_pid=
cleanup() {
    if [[ -n $queue_pid ]]; then
        kill "$queue_pid" 2>/dev/null || true
    fi
    ip netns del "$NAMESPACE" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# value KEY LINE: the value of KEY=value in LINE
value() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
# keyed KEY: each line on stdin prefixed with its KEY's value and a tab, sorted by it
keyed() { awk -v k="$1" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) "\t" $0 }' | sort -g; }
# median_of KEY: of the runs on stdin (one line each), the one whose KEY is the median (the lower middle of an even count)
median_of() { keyed "$1" | awk -F '\t' -v n="$REPEAT" 'NR == int((n + 1) / 2) { print $2 }'; }
# range_of KEY: the lowest and highest KEY of the runs on stdin, as whole numbers
range_of() { keyed "$1" | awk -F '\t' 'NR == 1 { low = $1 } { high = $1 } END { printf "%d-%d", low, high }'; }

echo "load before: $(uptime)"
nbl4j() {
    # AlwaysPreTouch: the heap's pages are faulted in at start, not during the measured seconds
    timeout $((WARMUP + SECONDS_MEASURED + 60)) "$JAVA" --enable-native-access=ALL-UNNAMED -Xms1g -Xmx1g \
        -XX:+AlwaysPreTouch \
        -cp bench/target/benchmarks.jar org.nbl4j.bench.UserVerdictBench \
        "$OUT/verdict_client" "$1" "$WINDOW" "$2" "$WARMUP" "$SECONDS_MEASURED"
}
# The application keeps two RECEIVEs pending, as in every run since the first; the second row keeps one (each completion
# then carries every packet taken meanwhile). Which is faster changes from run to run on this VM (docs/benchmarks.md).
runs_ring=() runs_batch=() runs_batch1=() runs_one=()
for ((run = 1; run <= REPEAT; run++)); do
    runs_ring+=("$(nbl4j ring 0)")
    echo "nbl4j batched through the shared ring, run $run: ${runs_ring[-1]}"
    runs_batch+=("$(nbl4j batch 2)")
    echo "nbl4j batched, run $run: ${runs_batch[-1]}"
    runs_batch1+=("$(nbl4j batch 1)")
    echo "nbl4j batched, one RECEIVE pending, run $run: ${runs_batch1[-1]}"
    runs_one+=("$(nbl4j one "$WINDOW")")
    echo "nbl4j one per IOCTL, run $run: ${runs_one[-1]}"
done

ip netns add "$NAMESPACE"
ip -n "$NAMESPACE" link set lo up
ip -n "$NAMESPACE" addr add 192.0.2.1/32 dev lo
traffic() {
    ip netns exec "$NAMESPACE" timeout $((WARMUP + SECONDS_MEASURED + 30)) \
        "$OUT/nfq_verdicts" traffic 192.0.2.1 "$1" "$WINDOW" "$WARMUP" "$SECONDS_MEASURED"
}
# nfq MODE: starts the verdict program, runs the traffic through its queue, stops it; sets nfq_result
nfq() {
    local log="$OUT/nfq-queue.out" tries=0
    ip netns exec "$NAMESPACE" "$IPTABLES" -A OUTPUT -p udp --dport "$PORT" -j NFQUEUE --queue-num "$QUEUE"
    ip netns exec "$NAMESPACE" "$OUT/nfq_verdicts" queue "$QUEUE" "$1" >"$log" &
    queue_pid=$!
    until grep -q ready "$log"; do
        ((++tries < 100)) || { echo "nfq_verdicts did not start" >&2; exit 1; }
        sleep 0.05
    done
    local result
    result=$(traffic "$PORT")
    kill -TERM "$queue_pid"
    wait "$queue_pid" || true
    queue_pid=
    ip netns exec "$NAMESPACE" "$IPTABLES" -D OUTPUT -p udp --dport "$PORT" -j NFQUEUE --queue-num "$QUEUE"
    nfq_result="$result queue: $(tail -n 1 "$log")"
}
runs_nfq_one=() runs_nfq_batch=() runs_no_queue=()
for ((run = 1; run <= REPEAT; run++)); do
    nfq one
    runs_nfq_one+=("$nfq_result")
    echo "NFQUEUE per packet, run $run: $nfq_result"
    nfq batch
    runs_nfq_batch+=("$nfq_result")
    echo "NFQUEUE batched, run $run: $nfq_result"
    runs_no_queue+=("$(traffic "$PORT")")
    echo "no queue, run $run: ${runs_no_queue[-1]}"
done
echo "load after: $(uptime)"

# pick NAME KEY RUNS...: sets NAME to the median run and NAME_range to the range
pick() {
    local name=$1 key=$2
    shift 2
    printf -v "$name" '%s' "$(printf '%s\n' "$@" | median_of "$key")"
    printf -v "${name}_range" '%s' "$(printf '%s\n' "$@" | range_of "$key")"
}
pick nbl4j_ring verdicts_per_s "${runs_ring[@]}"
pick nbl4j_batch verdicts_per_s "${runs_batch[@]}"
pick nbl4j_batch1 verdicts_per_s "${runs_batch1[@]}"
pick nbl4j_one verdicts_per_s "${runs_one[@]}"
pick nfq_one packets_per_s "${runs_nfq_one[@]}"
pick nfq_batch packets_per_s "${runs_nfq_batch[@]}"
pick no_queue packets_per_s "${runs_no_queue[@]}"

rate() { value "$1" "$2" | cut -d. -f1; }
nbl4j_ring_rate=$(rate verdicts_per_s "$nbl4j_ring")
nbl4j_batch_rate=$(rate verdicts_per_s "$nbl4j_batch")
nbl4j_batch1_rate=$(rate verdicts_per_s "$nbl4j_batch1")
nbl4j_one_rate=$(rate verdicts_per_s "$nbl4j_one")
nfq_one_rate=$(rate packets_per_s "$nfq_one")
nfq_batch_rate=$(rate packets_per_s "$nfq_batch")
echo
cpu() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f + %.2f", a, b }'; }
echo "The median of $REPEAT runs per row (the run shown), and the range of the $REPEAT rates:"
echo
echo "| row | verdicts/s | range | p50 µs | p99 µs | verdict IOCTLs / messages | CPU µs per verdict (verdict program + the rest) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| nbl4j, batched through the shared ring (RING_WAIT IOCTLs when idle) | $nbl4j_ring_rate | $nbl4j_ring_range | $(value p50_us "$nbl4j_ring") | $(value p99_us "$nbl4j_ring") | $(value verdict_ioctls "$nbl4j_ring") for $(value verdicts "$nbl4j_ring") | $(cpu "$(value client_cpu_us_per_verdict "$nbl4j_ring")" "$(value jvm_cpu_us_per_verdict "$nbl4j_ring")") |"
echo "| nbl4j, batched (two RECEIVEs pending, each asking for as many as fit) | $nbl4j_batch_rate | $nbl4j_batch_range | $(value p50_us "$nbl4j_batch") | $(value p99_us "$nbl4j_batch") | $(value verdict_ioctls "$nbl4j_batch") for $(value verdicts "$nbl4j_batch") | $(cpu "$(value client_cpu_us_per_verdict "$nbl4j_batch")" "$(value jvm_cpu_us_per_verdict "$nbl4j_batch")") |"
echo "| nbl4j, batched, one RECEIVE pending | $nbl4j_batch1_rate | $nbl4j_batch1_range | $(value p50_us "$nbl4j_batch1") | $(value p99_us "$nbl4j_batch1") | $(value verdict_ioctls "$nbl4j_batch1") for $(value verdicts "$nbl4j_batch1") | $(cpu "$(value client_cpu_us_per_verdict "$nbl4j_batch1")" "$(value jvm_cpu_us_per_verdict "$nbl4j_batch1")") |"
echo "| nbl4j, one packet per IOCTL | $nbl4j_one_rate | $nbl4j_one_range | $(value p50_us "$nbl4j_one") | $(value p99_us "$nbl4j_one") | $(value verdict_ioctls "$nbl4j_one") for $(value verdicts "$nbl4j_one") | $(cpu "$(value client_cpu_us_per_verdict "$nbl4j_one")" "$(value jvm_cpu_us_per_verdict "$nbl4j_one")") |"
echo "| NFQUEUE, per packet (nfq_set_verdict) | $nfq_one_rate | $nfq_one_range | $(value p50_us "$nfq_one") | $(value p99_us "$nfq_one") | $(value verdict_messages "$nfq_one") for $(value verdicts "$nfq_one") | $(cpu "$(value queue_cpu_us_per_verdict "$nfq_one")" "$(value traffic_cpu_us_per_packet "$nfq_one")") |"
echo "| NFQUEUE, batched (nfq_set_verdict_batch) | $nfq_batch_rate | $nfq_batch_range | $(value p50_us "$nfq_batch") | $(value p99_us "$nfq_batch") | $(value verdict_messages "$nfq_batch") for $(value verdicts "$nfq_batch") | $(cpu "$(value queue_cpu_us_per_verdict "$nfq_batch")" "$(value traffic_cpu_us_per_packet "$nfq_batch")") |"
echo "| the UDP loop without NFQUEUE | $(rate packets_per_s "$no_queue") | $no_queue_range | $(value p50_us "$no_queue") | $(value p99_us "$no_queue") | - | - + $(value traffic_cpu_us_per_packet "$no_queue") |"
echo
awk -v r="$nbl4j_ring_rate" -v b="$nbl4j_batch_rate" -v b1="$nbl4j_batch1_rate" -v o="$nbl4j_one_rate" -v n="$nfq_one_rate" -v nb="$nfq_batch_rate" 'BEGIN {
    printf "nbl4j through the shared ring / NFQUEUE per packet: %.2fx (target >= 10x); / NFQUEUE batched: %.2fx; %s verdicts/s (target >= 1000000)\n", r / n, r / nb, r
    printf "nbl4j batched / NFQUEUE per packet: %.2fx; nbl4j batched / NFQUEUE batched: %.2fx\n", b / n, b / nb
    printf "nbl4j batched with one RECEIVE pending / NFQUEUE per packet: %.2fx\n", b1 / n
    printf "nbl4j one per IOCTL / NFQUEUE per packet: %.2fx; nbl4j batched through RECEIVEs: %s verdicts/s\n", o / n, b
}'
# total KEY RUNS...: KEY summed over every run
total() {
    local key=$1
    shift
    printf '%s\n' "$@" | keyed "$key" | awk -F '\t' '{ sum += $1 } END { print sum + 0 }'
}
echo "over all runs, defaulted or unheld (must be 0): nbl4j ring $(total defaulted "${runs_ring[@]}")/$(total unheld "${runs_ring[@]}"), batched $(total defaulted "${runs_batch[@]}")/$(total unheld "${runs_batch[@]}"), one pending $(total defaulted "${runs_batch1[@]}")/$(total unheld "${runs_batch1[@]}"), one $(total defaulted "${runs_one[@]}")/$(total unheld "${runs_one[@]}"); NFQUEUE lost: $(total lost "${runs_nfq_one[@]}")/$(total lost "${runs_nfq_batch[@]}")"
