#!/usr/bin/env bash
# Installs the Debian packages nbl4j's live and capture tests use, when they are missing and we are root.
# Exits with 1, naming the tools still missing, when it cannot install them (.ci/run then stops).
set -euo pipefail
declare -A package_of=(
    [ip]=iproute2 [ss]=iproute2 [ping]=iputils-ping [iperf3]=iperf3 [tcpdump]=tcpdump
    [tshark]=tshark [dumpcap]=wireshark-common [capinfos]=wireshark-common [python3]=python3 [curl]=curl
    [ethtool]=ethtool [cc]=gcc [iptables]=iptables [nft]=nftables
    [libnetfilter_queue.h]=libnetfilter-queue-dev
)
# A name ending in .h is a C header (scripts/verdict-bench.sh compiles against it); the others are commands.
present() {
    case "$1" in
        *.h) compgen -G "/usr/include/*/$1" >/dev/null ;;
        *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}
missing_tools() {
    local tool
    for tool in "${!package_of[@]}"; do
        present "$tool" || echo "$tool"
    done | sort
}
mapfile -t missing < <(missing_tools)
if ((${#missing[@]} == 0)); then
    exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing test tools: ${missing[*]}; cannot install them here (needs root and apt-get)" >&2
    exit 1
fi
mapfile -t packages < <(for tool in "${missing[@]}"; do echo "${package_of[$tool]}"; done | sort -u)
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no instead of prompting.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; }; then
    echo "apt-get could not install ${packages[*]} (for ${missing[*]})" >&2
    exit 1
fi
mapfile -t still < <(missing_tools)
if ((${#still[@]} > 0)); then
    echo "still missing after installing ${packages[*]}: ${still[*]}" >&2
    exit 1
fi
