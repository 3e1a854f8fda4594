#!/usr/bin/env bash
# Compares iperf3 TCP throughput between two namespaces routed (a) by `nbl4j route`, (b) by `nbl4j route` with the
# forward-inject callout, (c) by the Linux kernel in a third namespace (veth pairs, forwarding on). Same documentation
# addresses in all three: host A 192.0.2.2/24, host B 198.51.100.2/24, router .1 on each side.
# With --queues it compares receive queues instead: `nbl4j route --queues 1` and `--queues 2` (TUN IFF_MULTI_QUEUE, one
# thread per queue), each plain and with the callout, under two iperf3 streams (-P 2) that the kernel can steer to
# different queues.
# With --offload it compares offloads (docs/offloads.md): a bare TUN pump in C (scripts/tun-pump.c, built here with cc)
# without and with IFF_VNET_HDR + TUNSETOFFLOAD, `nbl4j route` without offloads, `nbl4j route --offload=throughput`
# with the verifier off and standard, the same with the forward-inject callout opted in to RSC (RscForwardInjectCallout,
# verifier off and standard) and not opted in (ForwardInjectCallout, verifier off), and the kernel.
# Needs root, iproute2, iperf3, python3 and JDK 25 (./nbl4j builds the jar); cc for --offload.
# Usage: scripts/iperf3-compare.sh [--queues | --offload] [seconds]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
compare_queues=false
compare_offloads=false
if [ "${1:-}" = --queues ]; then
  compare_queues=true
  shift
elif [ "${1:-}" = --offload ]; then
  compare_offloads=true
  shift
fi
seconds=${1:-5}
streams=1
if $compare_queues; then streams=2; fi
id=$$
a=nbl4j-ipc-$id-a
b=nbl4j-ipc-$id-b
r=nbl4j-ipc-$id-r
log=$(mktemp -d)
router_pid=
pump_pid=
cleanup() {
  if [ -n "$router_pid" ]; then kill -TERM "$router_pid" 2>/dev/null || true; wait "$router_pid" 2>/dev/null || true; fi
  if [ -n "$pump_pid" ]; then kill "$pump_pid" 2>/dev/null || true; wait "$pump_pid" 2>/dev/null || true; fi
  for ns in "$a" "$b" "$r"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$log"
}
trap cleanup EXIT

hosts() {
  ip netns add "$a"
  ip netns add "$b"
}

# address <namespace> <device> <v4> <gateway>: addresses and a default route through the router
address() {
  ip -n "$1" addr add "$3" dev "$2"
  ip -n "$1" link set "$2" up
  ip -n "$1" link set lo up
  ip -n "$1" route add default via "$4"
}

# measure: one bounded iperf3 run from A to B; prints the receiver's throughput in Mbit/s
measure() {
  ip netns exec "$b" timeout $((seconds + 20)) iperf3 -s -1 -B 198.51.100.2 >/dev/null 2>&1 &
  local server=$!
  sleep 0.5
  ip netns exec "$a" timeout $((seconds + 15)) iperf3 -c 198.51.100.2 -t "$seconds" -P "$streams" \
    --connect-timeout 3000 -J >"$log/client.json"
  wait "$server" || true
  python3 -c 'import json,sys; print("%.0f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6))' \
    "$log/client.json"
}

# nbl4j_case <label> [route options...]
nbl4j_case() {
  local label=$1
  shift
  hosts
  local tun_a=nbi${id}a tun_b=nbi${id}b
  "$here/nbl4j" route --interface "name=$tun_a,address=192.0.2.1/24" --interface "name=$tun_b,address=198.51.100.1/24" \
    --duration $((seconds + 60)) "$@" >"$log/route.out" 2>&1 &
  router_pid=$!
  for _ in $(seq 1 600); do grep -q '^routing live' "$log/route.out" && break; sleep 0.2; done
  grep -q '^routing live' "$log/route.out" || { cat "$log/route.out" >&2; exit 1; }
  ip link set "$tun_a" netns "$a"
  ip link set "$tun_b" netns "$b"
  address "$a" "$tun_a" 192.0.2.2/24 192.0.2.1
  address "$b" "$tun_b" 198.51.100.2/24 198.51.100.1
  local mbits
  mbits=$(measure)
  # SIGTERM runs the same shutdown hook as Ctrl-C; a background job of a script ignores SIGINT.
  kill -TERM "$router_pid"
  local status=0
  wait "$router_pid" || status=$?
  router_pid=
  local verdict wfp
  verdict=$(grep '^verdict' "$log/route.out" | sed 's/.*: //' || echo "no verdict")
  wfp=$(grep '^WFP injected' "$log/route.out" | sed 's/  */ /g' || true)
  local lso
  lso=$(grep -E '^(coalesced sent with LSO|segments cut in software)' "$log/route.out" | sed 's/  */ /g' | paste -sd';' || true)
  printf '| %s | %s | exit %s, %s; forwarded %s; %s %s |\n' "$label" "$mbits" "$status" "$verdict" \
    "$(grep '^forwarded' "$log/route.out" | awk '{print $2}')" "$wfp" "$lso"
  ip netns del "$a"
  ip netns del "$b"
}

# pump_case <label> [--vnet-hdr]: the bare C pump between the two TUN devices
pump_case() {
  local label=$1
  shift
  hosts
  local tun_a=nbp${id}a tun_b=nbp${id}b
  "$log/tun-pump" "$@" "$tun_a" "$tun_b" >"$log/pump.out" 2>&1 &
  pump_pid=$!
  for _ in $(seq 1 100); do grep -q '^pumping' "$log/pump.out" && break; sleep 0.1; done
  grep -q '^pumping' "$log/pump.out" || { cat "$log/pump.out" >&2; exit 1; }
  ip link set "$tun_a" netns "$a"
  ip link set "$tun_b" netns "$b"
  address "$a" "$tun_a" 192.0.2.2/24 192.0.2.1
  address "$b" "$tun_b" 198.51.100.2/24 198.51.100.1
  printf '| %s | %s | |\n' "$label" "$(measure)"
  kill "$pump_pid"
  wait "$pump_pid" 2>/dev/null || true
  pump_pid=
  ip netns del "$a"
  ip netns del "$b"
}

kernel_case() {
  hosts
  ip netns add "$r"
  ip link add veth-a netns "$a" type veth peer name r-a netns "$r"
  ip link add veth-b netns "$b" type veth peer name r-b netns "$r"
  ip -n "$r" addr add 192.0.2.1/24 dev r-a
  ip -n "$r" addr add 198.51.100.1/24 dev r-b
  ip -n "$r" link set r-a up
  ip -n "$r" link set r-b up
  ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  address "$a" veth-a 192.0.2.2/24 192.0.2.1
  address "$b" veth-b 198.51.100.2/24 198.51.100.1
  printf '| %s | %s | |\n' "Linux kernel forwarding (veth, offloads on)" "$(measure)"
  ip netns del "$a"
  ip netns del "$b"
  ip netns del "$r"
}

callout=org.nbl4j.samples.forwardinject.ForwardInjectCallout
# The same callout with FWP_CALLOUT_FLAG_ALLOW_RSC: under --offload=throughput it takes super-packets whole.
rsc_callout=org.nbl4j.samples.forwardinject.RscForwardInjectCallout
echo "iperf3 -t $seconds -P $streams, A 192.0.2.2 -> B 198.51.100.2; $(nproc) CPUs; commit $(git -C "$here" rev-parse --short HEAD);" \
  "$(date -u '+%Y-%m-%d %H:%M UTC'); load:$(uptime | sed 's/.*load average://')"
echo "| router | receiver Mbit/s | notes |"
echo "|---|---:|---|"
if $compare_offloads; then
  cc -O2 -Wall -pthread -o "$log/tun-pump" "$here/scripts/tun-pump.c"
  pump_case "bare TUN pump (C), no offloads"
  pump_case "bare TUN pump (C), IFF_VNET_HDR + TSO4/TSO6/CSUM" --vnet-hdr
  nbl4j_case "nbl4j route --verifier off" --verifier off
  nbl4j_case "nbl4j route --offload=throughput --verifier off" --offload throughput --verifier off
  nbl4j_case "nbl4j route --offload=throughput" --offload throughput
  nbl4j_case "nbl4j route --offload=throughput --verifier off --callout RscForwardInjectCallout" \
    --offload throughput --verifier off --callout "$rsc_callout"
  nbl4j_case "nbl4j route --offload=throughput --callout RscForwardInjectCallout" \
    --offload throughput --callout "$rsc_callout"
  nbl4j_case "nbl4j route --offload=throughput --verifier off --callout ForwardInjectCallout (not opted in)" \
    --offload throughput --verifier off --callout "$callout"
  kernel_case
elif $compare_queues; then
  for queues in 1 2; do
    nbl4j_case "nbl4j route --queues $queues" --queues "$queues"
    nbl4j_case "nbl4j route --queues $queues --callout ForwardInjectCallout" --queues "$queues" --callout "$callout"
  done
else
  nbl4j_case "nbl4j route"
  nbl4j_case "nbl4j route --callout ForwardInjectCallout" --callout "$callout"
  kernel_case
fi
echo "load after:$(uptime | sed 's/.*load average://')"
