#!/usr/bin/env bash
# Installs the Debian packages nbl4j's live and capture tests use, when they are missing and we are root.
set -euo pipefail
declare -A package_of=([ip]=iproute2 [ping]=iputils-ping [iperf3]=iperf3 [tcpdump]=tcpdump [tshark]=tshark)
missing=()
for tool in "${!package_of[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
if ((${#missing[@]} == 0)); then
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing test tools (${missing[*]}) and cannot install them here (needs root and apt-get)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no instead of prompting.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
