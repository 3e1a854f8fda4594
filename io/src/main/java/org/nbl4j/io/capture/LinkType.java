package org.nbl4j.io.capture;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jspecify.annotations.Nullable;

/**
 * The link-layer header types ({@code LINKTYPE_*} values of the tcpdump.org registry) whose frames nbl4j can turn into
 * IP packets, and how to find the IP packet inside each.
 */
public enum LinkType {
    /** {@code LINKTYPE_ETHERNET}: an Ethernet II header, possibly with 802.1Q/802.1ad tags, before the payload. */
    ETHERNET(1),
    /** {@code LINKTYPE_RAW}: the frame is an IPv4 or IPv6 packet; the version nibble tells which. */
    RAW(101),
    /** {@code LINKTYPE_LINUX_SLL}: the 16-byte Linux "cooked" header that {@code tcpdump -i any} writes. */
    LINUX_SLL(113),
    /** {@code LINKTYPE_IPV4}: the frame is an IPv4 packet. */
    IPV4(228),
    /** {@code LINKTYPE_IPV6}: the frame is an IPv6 packet. */
    IPV6(229),
    /** {@code LINKTYPE_LINUX_SLL2}: the 20-byte Linux "cooked" header, version 2. */
    LINUX_SLL2(276);

    private static final ValueLayout.OfShort NETWORK_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERNET_HEADER = 14;
    private static final int VLAN_TAG = 4;
    private static final int SLL_HEADER = 16;
    private static final int SLL2_HEADER = 20;
    /** {@code values()} copies the array on every call; {@link #of} runs once per packet read. */
    private static final LinkType[] ALL = values();

    private final int value;

    LinkType(int value) {
        this.value = value;
    }

    /** The {@code LINKTYPE_*} value as stored in capture files. */
    public int value() {
        return value;
    }

    /** The link type with this {@code LINKTYPE_*} value, or null when nbl4j cannot decode it. */
    public static @Nullable LinkType of(int value) {
        for (LinkType type : ALL) {
            if (type.value == value) {
                return type;
            }
        }
        return null;
    }

    /**
     * Where the IP packet starts in a frame of this type, or -1 when the frame carries no IP packet (another
     * ethertype, a header cut short, or a raw frame whose version nibble is neither 4 nor 6).
     */
    int ipOffset(MemorySegment frame, long start, int length) {
        return switch (this) {
            case RAW -> length > 0 && isIpVersion(frame.get(ValueLayout.JAVA_BYTE, start)) ? 0 : -1;
            case IPV4, IPV6 -> 0;
            case ETHERNET -> ethernetPayload(frame, start, length);
            case LINUX_SLL -> ipIfEthertype(frame, start, length, SLL_HEADER, SLL_HEADER - 2);
            case LINUX_SLL2 -> ipIfEthertype(frame, start, length, SLL2_HEADER, 0);
        };
    }

    /** Whether the frame has a link header that may be followed by padding (Ethernet's minimum frame size). */
    boolean mayPad() {
        return this == ETHERNET || this == LINUX_SLL || this == LINUX_SLL2;
    }

    private static boolean isIpVersion(byte first) {
        int version = (first >> 4) & 0xF;
        return version == 4 || version == 6;
    }

    private static int ethernetPayload(MemorySegment frame, long start, int length) {
        int typeAt = ETHERNET_HEADER - 2;
        // 802.1Q (0x8100), 802.1ad (0x88A8) and the old QinQ 0x9100 tags each push the ethertype 4 bytes on.
        while (typeAt + 2 <= length) {
            int type = ethertype(frame, start + typeAt);
            if (type != 0x8100 && type != 0x88A8 && type != 0x9100) {
                return ipIfEthertype(frame, start, length, typeAt + 2, typeAt);
            }
            typeAt += VLAN_TAG;
        }
        return -1;
    }

    private static int ipIfEthertype(MemorySegment frame, long start, int length, int headerLength, int typeAt) {
        if (length < headerLength) {
            return -1;
        }
        int type = ethertype(frame, start + typeAt);
        return type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6 ? headerLength : -1;
    }

    private static int ethertype(MemorySegment frame, long at) {
        return Short.toUnsignedInt(frame.get(NETWORK_SHORT, at));
    }
}
