package org.nbl4j.io.tun;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The virtio-net header a TUN device opened with {@code IFF_VNET_HDR} puts in front of every packet it hands over and
 * expects in front of every packet written: {@code struct virtio_net_hdr} of {@code linux/virtio_net.h} (uapi), read
 * and written in place, allocation-free.
 *
 * <pre>
 * offset 0  u8  flags        NEEDS_CSUM (1): checksum from csum_start, store at csum_start + csum_offset;
 *                            DATA_VALID (2): the checksum is known good (Linux's CHECKSUM_UNNECESSARY)
 * offset 1  u8  gso_type     NONE 0, TCPV4 1, UDP 3 (UFO), TCPV6 4, UDP_L4 5 (USO); ECN 0x80 may be or-ed in
 * offset 2  u16 hdr_len      headers before the payload (a hint: on the way out of the kernel it is the length of
 *                            the skb's linear part, so nbl4j computes the headers' length itself)
 * offset 4  u16 gso_size     payload bytes per segment
 * offset 6  u16 csum_start   where the checksummed range starts (the transport header), from the IP header
 * offset 8  u16 csum_offset  where in it the checksum goes (16 for TCP, 6 for UDP)
 * offset 10 u16 num_buffers  only in the 12-byte form (virtio_net_hdr_mrg_rxbuf); TUN leaves it 0
 * </pre>
 *
 * The fields are little-endian: TUN uses the legacy virtio byte order, which is the host's, unless
 * {@code TUNSETVNETBE} says otherwise, and nbl4j runs on little-endian hosts (x86-64, AArch64). With
 * {@code NEEDS_CSUM} the checksum field holds the folded sum of the pseudo-header, with the transport length (Linux's
 * CHECKSUM_PARTIAL), not complemented.
 */
public final class VirtioNetHeader {
    /** {@code sizeof(struct virtio_net_hdr)}: the kernel's default header size. */
    public static final int LEGACY_BYTES = 10;
    /**
     * {@code sizeof(struct virtio_net_hdr_mrg_rxbuf)}: the size nbl4j sets with {@code TUNSETVNETHDRSZ}, so that the
     * IP header after it starts 4-byte aligned in the receive buffer.
     */
    public static final int BYTES = 12;

    public static final int F_NEEDS_CSUM = 1;
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    public static final int GSO_ECN = 0x80;

    /** {@code offsetof(struct tcphdr, check)}. */
    public static final int TCP_CHECKSUM_OFFSET = 16;
    /** {@code offsetof(struct udphdr, check)}. */
    public static final int UDP_CHECKSUM_OFFSET = 6;

    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private VirtioNetHeader() {}

    public static int flags(MemorySegment s, long at) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at));
    }

    public static int gsoType(MemorySegment s, long at) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at + 1));
    }

    public static int headerLength(MemorySegment s, long at) {
        return Short.toUnsignedInt(s.get(LE16, at + 2));
    }

    public static int gsoSize(MemorySegment s, long at) {
        return Short.toUnsignedInt(s.get(LE16, at + 4));
    }

    public static int checksumStart(MemorySegment s, long at) {
        return Short.toUnsignedInt(s.get(LE16, at + 6));
    }

    public static int checksumOffset(MemorySegment s, long at) {
        return Short.toUnsignedInt(s.get(LE16, at + 8));
    }

    /** Writes a whole header of {@code bytes} ({@link #LEGACY_BYTES} or {@link #BYTES}), num_buffers 0. */
    public static void write(
            MemorySegment s,
            long at,
            int bytes,
            int flags,
            int gsoType,
            int headerLength,
            int gsoSize,
            int checksumStart,
            int checksumOffset) {
        s.set(ValueLayout.JAVA_BYTE, at, (byte) flags);
        s.set(ValueLayout.JAVA_BYTE, at + 1, (byte) gsoType);
        s.set(LE16, at + 2, (short) headerLength);
        s.set(LE16, at + 4, (short) gsoSize);
        s.set(LE16, at + 6, (short) checksumStart);
        s.set(LE16, at + 8, (short) checksumOffset);
        if (bytes == BYTES) {
            s.set(LE16, at + 10, (short) 0);
        }
    }
}
