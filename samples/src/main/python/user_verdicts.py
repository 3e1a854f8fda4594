#!/usr/bin/env python3
"""A user-mode verdict application for the UserVerdictCallout sample (seed 000 end to end), outside the JVM.

It opens the driver's device (\\DosDevices\\UserVerdict, the socket <device dir>/userverdict), sets the driver's
default verdict and timeout, keeps a few RECEIVE requests pending (the inverted call), and answers every packet the
driver hands it with one VERDICT request per completed RECEIVE: block TCP packets to or from one port, rewrite a
marker in the UDP datagrams to or from one port (same length, UDP checksum recomputed), permit the rest.

    user_verdicts.py --device DIR/userverdict [--block-tcp-port N] [--rewrite-udp-port N --marker OLD --replacement NEW]
                     [--default permit|block] [--timeout-ms N] [--receives N]
    user_verdicts.py --device DIR/userverdict --statistics     # prints the driver's counters and exits

It prints "ready" once the default is set and its requests are pending, and on SIGTERM or SIGINT closes its handle
and prints what it decided. Killed, the kernel closes its socket: the driver cancels its pending requests and gives the
packets it holds the default verdict. Mirrors UserVerdictIoctl.java, the driver's header.
"""

import argparse
import collections
import os
import signal
import struct
import sys

sys.path.insert(0, os.environ.get("NBL4J_DEVICE_PY", os.path.join(os.path.dirname(__file__), "..", "..", "..", "..",
                                                                    "io", "src", "main", "python")))
import nbl4j_device  # noqa: E402  (found through the path above)

FILE_DEVICE_NETWORK = 0x12
IOCTL_USERVERDICT_RECEIVE = nbl4j_device.CTL_CODE(FILE_DEVICE_NETWORK, 0x900, nbl4j_device.METHOD_OUT_DIRECT,
                                                  nbl4j_device.FILE_READ_ACCESS)
IOCTL_USERVERDICT_VERDICT = nbl4j_device.CTL_CODE(FILE_DEVICE_NETWORK, 0x901, nbl4j_device.METHOD_BUFFERED,
                                                  nbl4j_device.FILE_WRITE_ACCESS)
IOCTL_USERVERDICT_SET_DEFAULT = nbl4j_device.CTL_CODE(FILE_DEVICE_NETWORK, 0x902, nbl4j_device.METHOD_BUFFERED,
                                                      nbl4j_device.FILE_WRITE_ACCESS)
IOCTL_USERVERDICT_QUERY_STATISTICS = nbl4j_device.CTL_CODE(FILE_DEVICE_NETWORK, 0x903, nbl4j_device.METHOD_BUFFERED,
                                                           nbl4j_device.FILE_READ_ACCESS)

USERVERDICT_PERMIT = 0
USERVERDICT_BLOCK = 1
USERVERDICT_MODIFY = 2

RECEIVE_MINIMUM_LENGTH = 8 + 0xFFFF
STATISTICS = ("taken", "permitted", "blocked", "modified", "defaultedOnTimeout", "defaultedOnCleanup",
              "defaultedUnheld", "cancelledReceives", "refusedVerdicts", "held", "pendingReceives", "openHandles")

_RECORD = struct.Struct("<II")
_VERDICT = struct.Struct("<IHH")
TCP = 6
UDP = 17


def transport(packet):
    """(protocol, offset of the transport header) of an IPv4 packet or an IPv6 packet without extension headers."""
    if packet[0] >> 4 == 4:
        return packet[9], (packet[0] & 0x0F) * 4
    return packet[6], 40


def checksum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def udp_checksum(packet, offset):
    """The UDP checksum of the datagram at offset, over the IPv4 or IPv6 pseudo-header; 0 is sent as 0xFFFF."""
    segment = bytearray(packet[offset:])
    segment[6:8] = b"\0\0"
    if packet[0] >> 4 == 4:
        pseudo = packet[12:20] + struct.pack("!BBH", 0, UDP, len(segment))
    else:
        pseudo = packet[8:40] + struct.pack("!I3xB", len(segment), UDP)
    return checksum(bytes(pseudo) + bytes(segment)) or 0xFFFF


class Policy:
    """What the application decides per packet, and how many of each it decided."""

    def __init__(self, block_tcp_port, rewrite_udp_port, marker, replacement):
        if marker is not None and len(marker) != len(replacement):
            raise ValueError("the replacement must be as long as the marker")
        self.block_tcp_port = block_tcp_port
        self.rewrite_udp_port = rewrite_udp_port
        self.marker = marker
        self.replacement = replacement
        self.decided = collections.Counter()

    def decide(self, packet):
        """(verdict, new bytes or None) for one packet."""
        protocol, offset = transport(packet)
        if len(packet) >= offset + 4:
            source, destination = struct.unpack_from("!HH", packet, offset)
            ports = (source, destination)
            if protocol == TCP and self.block_tcp_port in ports:
                self.decided["blocked"] += 1
                return USERVERDICT_BLOCK, None
            if protocol == UDP and self.rewrite_udp_port in ports and self.marker in packet[offset + 8:]:
                modified = bytearray(packet)
                payload = offset + 8
                modified[payload:] = bytes(modified[payload:]).replace(self.marker, self.replacement)
                struct.pack_into("!H", modified, offset + 6, udp_checksum(modified, offset))
                self.decided["modified"] += 1
                return USERVERDICT_MODIFY, bytes(modified)
        self.decided["permitted"] += 1
        return USERVERDICT_PERMIT, None


def packets(output):
    """The (PacketId, packet) records of a completed RECEIVE."""
    offset = 0
    while offset < len(output):
        packet_id, length = _RECORD.unpack_from(output, offset)
        offset += _RECORD.size
        yield packet_id, output[offset:offset + length]
        offset += length


def serve(handle, policy, receives):
    """Keeps `receives` RECEIVE requests pending and answers each batch, as it completes, with one VERDICT request."""
    for _ in range(receives):
        handle.DeviceIoControlAsync(IOCTL_USERVERDICT_RECEIVE, b"", RECEIVE_MINIMUM_LENGTH)
    print("ready", flush=True)
    while True:
        _, result = handle.GetQueuedCompletionStatus()
        handle.DeviceIoControlAsync(IOCTL_USERVERDICT_RECEIVE, b"", RECEIVE_MINIMUM_LENGTH)
        if not nbl4j_device.NT_SUCCESS(result.status):
            raise nbl4j_device.DeviceError("RECEIVE failed: 0x%08x" % (result.status & 0xFFFFFFFF))
        answer = bytearray()
        for packet_id, packet in packets(result.output):
            verdict, modified = policy.decide(packet)
            answer += _VERDICT.pack(packet_id, verdict, len(modified) if modified else 0)
            if modified:
                answer += modified
        status = handle.DeviceIoControl(IOCTL_USERVERDICT_VERDICT, bytes(answer)).status
        if not nbl4j_device.NT_SUCCESS(status):
            raise nbl4j_device.DeviceError("VERDICT failed: 0x%08x" % (status & 0xFFFFFFFF))


def statistics(handle):
    """The driver's counters by name."""
    result = handle.DeviceIoControl(IOCTL_USERVERDICT_QUERY_STATISTICS, b"", 8 * len(STATISTICS))
    return dict(zip(STATISTICS, struct.unpack("<%dQ" % len(STATISTICS), result.output)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", required=True, help="the driver's socket: <device dir>/userverdict")
    parser.add_argument("--block-tcp-port", type=int)
    parser.add_argument("--rewrite-udp-port", type=int)
    parser.add_argument("--marker", default="MARKER")
    parser.add_argument("--replacement", default="nbl4j!")
    parser.add_argument("--default", choices=("permit", "block"), default="permit")
    parser.add_argument("--timeout-ms", type=int, default=250)
    parser.add_argument("--receives", type=int, default=4)
    parser.add_argument("--statistics", action="store_true", help="print the driver's counters and exit")
    arguments = parser.parse_args()

    handle = nbl4j_device.CreateFile(arguments.device)
    if arguments.statistics:
        with handle:
            print(" ".join("%s=%d" % item for item in statistics(handle).items()), flush=True)
        return 0

    policy = Policy(arguments.block_tcp_port, arguments.rewrite_udp_port,
                    arguments.marker.encode(), arguments.replacement.encode())
    default = USERVERDICT_BLOCK if arguments.default == "block" else USERVERDICT_PERMIT
    status = handle.DeviceIoControl(IOCTL_USERVERDICT_SET_DEFAULT, struct.pack("<II", default, arguments.timeout_ms))
    if not nbl4j_device.NT_SUCCESS(status.status):
        raise nbl4j_device.DeviceError("SET_DEFAULT failed: 0x%08x" % (status.status & 0xFFFFFFFF))

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        serve(handle, policy, arguments.receives)
    except KeyboardInterrupt:
        pass
    finally:
        handle.CloseHandle()
        print(" ".join("%s=%d" % item for item in sorted(policy.decided.items())), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
