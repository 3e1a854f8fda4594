#!/usr/bin/env bash
# Issue 16's verdict benchmark, one run (docs/benchmarks.md, "User-mode verdicts"):
#   - nbl4j: UserVerdictBench, the seed-000 sample on a router over in-memory adapters, its device a Unix-domain socket,
#     the verdict application a separate C process (bench/native/verdict_client.c) that permits every packet, asking
#     for one packet per RECEIVE IOCTL and then for as many as fit (batched);
#   - Linux NFQUEUE: bench/native/nfq_verdicts.c over libnetfilter_queue accepting every packet, per packet
#     (nfq_set_verdict) and batched (nfq_set_verdict_batch), the traffic a UDP loop inside a network namespace of its
#     own (192.0.2.1, lo) with an iptables NFQUEUE rule on its output path; and the same loop without the rule.
# Every row keeps at most WINDOW packets between sending and arrival and measures SECONDS after WARMUP seconds.
# Needs root (the namespace), cc, libnetfilter-queue-dev and iptables (scripts/install-test-tools.sh installs them).
#
#     scripts/verdict-bench.sh [WINDOW [WARMUP [SECONDS]]]      defaults: 128 12 5 (the JIT needs the warm-up)
set -euo pipefail
cd "$(dirname "$0")/.."
WINDOW=${1:-128}
WARMUP=${2:-12}
SECONDS_MEASURED=${3:-5}
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
nbl4j_batch=$(nbl4j batch 2)
echo "nbl4j batched: $nbl4j_batch"
nbl4j_batch1=$(nbl4j batch 1)
echo "nbl4j batched, one RECEIVE pending: $nbl4j_batch1"
nbl4j_one=$(nbl4j one "$WINDOW")
echo "nbl4j one per IOCTL: $nbl4j_one"

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
nfq one
nfq_one=$nfq_result
echo "NFQUEUE per packet: $nfq_one"
nfq batch
nfq_batch=$nfq_result
echo "NFQUEUE batched: $nfq_batch"
no_queue=$(traffic "$PORT")
echo "no queue: $no_queue"
echo "load after: $(uptime)"

rate() { value "$1" "$2" | cut -d. -f1; }
nbl4j_batch_rate=$(rate verdicts_per_s "$nbl4j_batch")
nbl4j_batch1_rate=$(rate verdicts_per_s "$nbl4j_batch1")
nbl4j_one_rate=$(rate verdicts_per_s "$nbl4j_one")
nfq_one_rate=$(rate packets_per_s "$nfq_one")
nfq_batch_rate=$(rate packets_per_s "$nfq_batch")
echo
cpu() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f + %.2f", a, b }'; }
echo "| row | verdicts/s | p50 µs | p99 µs | verdict IOCTLs / messages | CPU µs per verdict (verdict program + the rest) |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| nbl4j, batched (two RECEIVEs pending, each asking for as many as fit) | $nbl4j_batch_rate | $(value p50_us "$nbl4j_batch") | $(value p99_us "$nbl4j_batch") | $(value verdict_ioctls "$nbl4j_batch") for $(value verdicts "$nbl4j_batch") | $(cpu "$(value client_cpu_us_per_verdict "$nbl4j_batch")" "$(value jvm_cpu_us_per_verdict "$nbl4j_batch")") |"
echo "| nbl4j, batched, one RECEIVE pending | $nbl4j_batch1_rate | $(value p50_us "$nbl4j_batch1") | $(value p99_us "$nbl4j_batch1") | $(value verdict_ioctls "$nbl4j_batch1") for $(value verdicts "$nbl4j_batch1") | $(cpu "$(value client_cpu_us_per_verdict "$nbl4j_batch1")" "$(value jvm_cpu_us_per_verdict "$nbl4j_batch1")") |"
echo "| nbl4j, one packet per IOCTL | $nbl4j_one_rate | $(value p50_us "$nbl4j_one") | $(value p99_us "$nbl4j_one") | $(value verdict_ioctls "$nbl4j_one") for $(value verdicts "$nbl4j_one") | $(cpu "$(value client_cpu_us_per_verdict "$nbl4j_one")" "$(value jvm_cpu_us_per_verdict "$nbl4j_one")") |"
echo "| NFQUEUE, per packet (nfq_set_verdict) | $nfq_one_rate | $(value p50_us "$nfq_one") | $(value p99_us "$nfq_one") | $(value verdict_messages "$nfq_one") for $(value verdicts "$nfq_one") | $(cpu "$(value queue_cpu_us_per_verdict "$nfq_one")" "$(value traffic_cpu_us_per_packet "$nfq_one")") |"
echo "| NFQUEUE, batched (nfq_set_verdict_batch) | $nfq_batch_rate | $(value p50_us "$nfq_batch") | $(value p99_us "$nfq_batch") | $(value verdict_messages "$nfq_batch") for $(value verdicts "$nfq_batch") | $(cpu "$(value queue_cpu_us_per_verdict "$nfq_batch")" "$(value traffic_cpu_us_per_packet "$nfq_batch")") |"
echo "| the UDP loop without NFQUEUE | $(rate packets_per_s "$no_queue") | $(value p50_us "$no_queue") | $(value p99_us "$no_queue") | - | - + $(value traffic_cpu_us_per_packet "$no_queue") |"
echo
awk -v b="$nbl4j_batch_rate" -v b1="$nbl4j_batch1_rate" -v o="$nbl4j_one_rate" -v n="$nfq_one_rate" -v nb="$nfq_batch_rate" 'BEGIN {
    printf "nbl4j batched / NFQUEUE per packet: %.2fx (target >= 10x); nbl4j batched / NFQUEUE batched: %.2fx\n", b / n, b / nb
    printf "nbl4j batched with one RECEIVE pending / NFQUEUE per packet: %.2fx\n", b1 / n
    printf "nbl4j one per IOCTL / NFQUEUE per packet: %.2fx; nbl4j batched: %s verdicts/s (target >= 1000000)\n", o / n, b
}'
echo "defaulted or unheld (must be 0): nbl4j batched $(value defaulted "$nbl4j_batch")/$(value unheld "$nbl4j_batch"), one pending $(value defaulted "$nbl4j_batch1")/$(value unheld "$nbl4j_batch1"), one $(value defaulted "$nbl4j_one")/$(value unheld "$nbl4j_one"); NFQUEUE lost: $(value lost "$nfq_one")/$(value lost "$nfq_batch")"
