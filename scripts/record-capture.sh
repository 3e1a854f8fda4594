#!/usr/bin/env bash
# Records the capture that nbl4j bundles: cli/src/main/resources/org/nbl4j/cli/capture/bundled.pcapng
#
# Three network namespaces, each made here and removed on exit:
#
#   host A  a-r 192.0.2.2/24       ---veth---  r-a 192.0.2.1/24        router  r-b 198.51.100.1/24       ---veth---  b-r 198.51.100.2/24      host B
#           2001:db8:1::2/64                   2001:db8:1::1/64       (Linux   2001:db8:2::1/64                      2001:db8:2::2/64
#                                                                  forwarding)
#
# dumpcap captures on the router's two interfaces at once, so the pcapng file has two interfaces (Ethernet frames):
# interface 0 is r-a, the side facing host A, interface 1 is r-b, the side facing host B. A packet that the router
# forwards appears twice: as it arrives on one side and as it leaves on the other (TTL or hop limit one lower).
# Replaying interface 0 into nbl4j's router shows it what Linux's router was given from host A's side.
#
# Traffic, host A to host B unless said otherwise, every command bounded in count and time:
#   - 4 ICMPv4 and 4 ICMPv6 echo requests and their replies;
#   - 2 ICMPv4 and 2 ICMPv6 echo requests of 4000 data bytes, fragmented by host A (MTU 1500) and their fragmented replies;
#   - one HTTP GET of the server's directory listing (the wait for the server to start) over TCP/IPv4,
#   - one HTTP GET of a 32 KiB file over TCP/IPv4 and one over TCP/IPv6 (python3 -m http.server on host B, curl on A);
#   - 3 UDP datagrams over IPv4 and 3 over IPv6 to a closed port of host B, answered by ICMP port unreachable;
#   - whatever ARP and IPv6 neighbour discovery the hosts do on the way (non-IP frames: nbl4j's reader skips ARP).
# Offloads (TSO, GSO, GRO) are switched off on every veth, so that each frame captured fits the 1500-byte MTU; without
# ethtool they stay on and TCP arrives in super-segments (the bundled capture was recorded so: docs/bundled-capture.md).
#
# Only documentation addresses (RFC 5737, RFC 3849) are used, and no traffic leaves the namespaces.
# Needs root and: iproute2 tcpdump (for nothing but its libpcap) tshark (dumpcap) iputils-ping curl python3 ethtool.
#   apt-get install -y iproute2 iputils-ping curl python3 ethtool tshark
# Usage: sudo scripts/record-capture.sh [output.pcapng]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
output=${1:-$repo/cli/src/main/resources/org/nbl4j/cli/capture/bundled.pcapng}
tag=nbl4jcap$$
ns_a=$tag-a
ns_r=$tag-r
ns_b=$tag-b
work=$(mktemp -d)
pids=()

cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    for ns in "$ns_a" "$ns_r" "$ns_b"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

in_a() { ip netns exec "$ns_a" "$@"; }
in_r() { ip netns exec "$ns_r" "$@"; }
in_b() { ip netns exec "$ns_b" "$@"; }

for ns in "$ns_a" "$ns_r" "$ns_b"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # No router solicitations trickling in after the traffic: the routes below are static.
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.default.router_solicitations=0
done
ip link add a-r netns "$ns_a" type veth peer name r-a netns "$ns_r"
ip link add b-r netns "$ns_b" type veth peer name r-b netns "$ns_r"

configure() { # namespace interface v4/len v6/len
    ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 \
        || echo "record-capture.sh: offloads stay on for $2 in $1 (ethtool missing or refused)" >&2
    ip -n "$1" addr add "$3" dev "$2"
    ip -n "$1" addr add "$4" dev "$2" nodad
    ip -n "$1" link set "$2" up
}
configure "$ns_a" a-r 192.0.2.2/24 2001:db8:1::2/64
configure "$ns_r" r-a 192.0.2.1/24 2001:db8:1::1/64
configure "$ns_r" r-b 198.51.100.1/24 2001:db8:2::1/64
configure "$ns_b" b-r 198.51.100.2/24 2001:db8:2::2/64
in_r sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
in_a ip route add default via 192.0.2.1
in_a ip -6 route add default via 2001:db8:1::1
in_b ip route add default via 198.51.100.1
in_b ip -6 route add default via 2001:db8:2::1

# Host B serves a 32 KiB file over HTTP on both address families.
mkdir "$work/www"
head -c 32768 /dev/urandom >"$work/www/data.bin"
(cd "$work/www" && exec ip netns exec "$ns_b" timeout 60 python3 -m http.server 8080 --bind :: >/dev/null 2>&1) &
pids+=($!)

# dumpcap writes pcapng, one interface description block per -i, in the order given.
# Started without the in_r function, so that $! is the process (timeout) that passes SIGINT on to dumpcap.
ip netns exec "$ns_r" timeout 60 dumpcap -q -i r-a -i r-b -w "$work/capture.pcapng" 2>"$work/dumpcap.log" &
pids+=($!)
for _ in $(seq 50); do
    grep -q "File:" "$work/dumpcap.log" 2>/dev/null && break
    sleep 0.1
done
for _ in $(seq 50); do
    # Waits for the server with a request of the empty path: the capture holds this one too.
    in_a timeout 1 curl -s -o /dev/null "http://198.51.100.2:8080/" && break
    sleep 0.1
done
sleep 0.5

in_a ping -q -c 4 -i 0.2 -W 1 198.51.100.2
in_a ping -q -6 -c 4 -i 0.2 -W 1 2001:db8:2::2
in_a ping -q -c 2 -i 0.2 -W 1 -s 4000 198.51.100.2
in_a ping -q -6 -c 2 -i 0.2 -W 1 -s 4000 2001:db8:2::2
in_a timeout 10 curl -s -o /dev/null "http://198.51.100.2:8080/data.bin"
in_a timeout 10 curl -s -o /dev/null "http://[2001:db8:2::2]:8080/data.bin"
in_a timeout 10 python3 - <<'PY'
import socket, time
for family, address in ((socket.AF_INET, "198.51.100.2"), (socket.AF_INET6, "2001:db8:2::2")):
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        for n in range(3):
            s.sendto(b"nbl4j datagram %d" % n, (address, 9999))
            time.sleep(0.1)
PY
sleep 1

kill -INT "${pids[1]}"
wait "${pids[1]}" || true
mkdir -p "$(dirname "$output")"
cp "$work/capture.pcapng" "$output"
echo "wrote $output ($(stat -c %s "$output") bytes)"
