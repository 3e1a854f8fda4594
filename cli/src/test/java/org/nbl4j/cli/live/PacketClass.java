package org.nbl4j.cli.live;

/** The kinds of packet the live tests count separately, told apart by their headers. */
public enum PacketClass {
    /** An unfragmented ICMP echo request or reply. */
    ECHO_V4,
    /** Any fragment of an IPv4 packet (more fragments set, or an offset). */
    FRAGMENT_V4,
    TCP_V4,
    OTHER_V4,
    /** An unfragmented ICMPv6 echo request or reply. */
    ECHO_V6,
    /** Any packet with an IPv6 fragment header. */
    FRAGMENT_V6,
    TCP_V6,
    /** Router and neighbour solicitations and advertisements, redirects (ICMPv6 133 to 137). */
    NEIGHBOR_DISCOVERY,
    /** Multicast listener queries, reports and dones (ICMPv6 130 to 132, 143). */
    MLD,
    OTHER_V6,
    /** Neither IPv4 nor IPv6. */
    NOT_IP;

    private static final int HOP_BY_HOP = 0;
    private static final int TCP = 6;
    private static final int FRAGMENT = 44;
    private static final int ICMPV6 = 58;

    /** The class of an IP packet, from its first bytes (a capture's snapshot suffices). */
    public static PacketClass of(byte[] packet) {
        if (packet.length < 1) {
            return NOT_IP;
        }
        return switch ((packet[0] >> 4) & 0xF) {
            case 4 -> ofIpv4(packet);
            case 6 -> ofIpv6(packet);
            default -> NOT_IP;
        };
    }

    private static PacketClass ofIpv4(byte[] packet) {
        if (packet.length < 20) {
            return OTHER_V4;
        }
        int flagsAndOffset = ((packet[6] & 0xFF) << 8) | (packet[7] & 0xFF);
        if ((flagsAndOffset & 0x3FFF) != 0) { // more fragments, or an offset
            return FRAGMENT_V4;
        }
        int headerLength = (packet[0] & 0xF) * 4;
        return switch (packet[9] & 0xFF) {
            case 1 -> packet.length > headerLength && isEcho(packet[headerLength] & 0xFF, 8, 0) ? ECHO_V4 : OTHER_V4;
            case TCP -> TCP_V4;
            default -> OTHER_V4;
        };
    }

    private static PacketClass ofIpv6(byte[] packet) {
        if (packet.length < 40) {
            return OTHER_V6;
        }
        int next = packet[6] & 0xFF;
        int offset = 40;
        if (next == HOP_BY_HOP && packet.length >= offset + 2) {
            next = packet[offset] & 0xFF;
            offset += ((packet[offset + 1] & 0xFF) + 1) * 8;
        }
        if (next == FRAGMENT) {
            return FRAGMENT_V6;
        }
        if (next == TCP) {
            return TCP_V6;
        }
        if (next != ICMPV6 || packet.length <= offset) {
            return OTHER_V6;
        }
        int type = packet[offset] & 0xFF;
        if (isEcho(type, 128, 129)) {
            return ECHO_V6;
        }
        if (type >= 133 && type <= 137) {
            return NEIGHBOR_DISCOVERY;
        }
        if ((type >= 130 && type <= 132) || type == 143) {
            return MLD;
        }
        return OTHER_V6;
    }

    private static boolean isEcho(int type, int request, int reply) {
        return type == request || type == reply;
    }
}
