package org.nbl4j.io.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.stack.ndis.OffloadCapabilities;
import org.nbl4j.stack.ndis.OffloadInfo;

/**
 * The virtio-net header's layout (linux/virtio_net.h: little-endian u16 fields after two bytes) and how the TUN
 * miniport maps a received one to NDIS info: {@code DATA_VALID} and {@code NEEDS_CSUM} to the receive checksum bits,
 * a GSO super-packet to RSC's segment count; and the NDIS offloads a set of granted TUN features amounts to.
 */
class VirtioNetHeaderTest {

    @Test
    void fieldsAreWhereTheKernelPutsThem() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(VirtioNetHeader.BYTES);
            VirtioNetHeader.write(
                    header,
                    0,
                    VirtioNetHeader.BYTES,
                    VirtioNetHeader.F_NEEDS_CSUM,
                    VirtioNetHeader.GSO_TCPV6,
                    74,
                    1440,
                    40,
                    16);
            assertEquals(1, header.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(4, header.get(ValueLayout.JAVA_BYTE, 1));
            assertEquals(74, header.get(ValueLayout.JAVA_BYTE, 2), "hdr_len, little-endian");
            assertEquals((byte) (1440 & 0xFF), header.get(ValueLayout.JAVA_BYTE, 4));
            assertEquals((byte) (1440 >>> 8), header.get(ValueLayout.JAVA_BYTE, 5));
            assertEquals(40, header.get(ValueLayout.JAVA_BYTE, 6));
            assertEquals(16, header.get(ValueLayout.JAVA_BYTE, 8));
            assertEquals(1440, VirtioNetHeader.gsoSize(header, 0));
            assertEquals(40, VirtioNetHeader.checksumStart(header, 0));
            assertEquals(16, VirtioNetHeader.checksumOffset(header, 0));
            assertEquals(74, VirtioNetHeader.headerLength(header, 0));
        }
    }

    @Test
    void aGsoSuperPacketBecomesAnRscIndicationWithItsSegmentCount() {
        try (Arena arena = Arena.ofConfined();
                Ndis ndis = Ndis.create();
                NetBufferListPool pool = ndis.allocateNetBufferListPool(
                        NetBufferListPoolParameters.of(0, false, 0, PoolTag.of("Tvnh"), 0))) {
            NetBufferList nbl = pool.allocateNetBufferList(0, 0);
            MemorySegment buffer = arena.allocate(12 + 40);
            VirtioNetHeader.write(
                    buffer,
                    0,
                    VirtioNetHeader.BYTES,
                    VirtioNetHeader.F_NEEDS_CSUM,
                    VirtioNetHeader.GSO_TCPV4,
                    52,
                    1448,
                    20,
                    16);
            buffer.set(ValueLayout.JAVA_BYTE, 12, (byte) 0x45); // IPv4, IHL 5
            buffer.set(ValueLayout.JAVA_BYTE, 12 + 20 + 12, (byte) 0x80); // TCP data offset 8 words: 32 bytes
            // 20 + 32 header bytes and 10 000 payload bytes: 7 segments of at most 1448.
            TunMiniport.indicateOffloads(nbl, buffer, 0, 12, 52 + 10_000);
            assertEquals(7, OffloadInfo.coalescedSegmentCount(nbl));
            assertEquals(1448, OffloadInfo.coalescedSegmentSize(nbl), "gso_size goes with the count, where to cut");
            assertEquals(
                    OffloadInfo.RECEIVE_IP_CHECKSUM_SUCCEEDED
                            | OffloadInfo.RECEIVE_TCP_CHECKSUM_SUCCEEDED
                            | OffloadInfo.RECEIVE_TCP_CHECKSUM_VALUE_INVALID,
                    OffloadInfo.receiveChecksum(nbl),
                    "NEEDS_CSUM: checked, but the field holds only the pseudo-header sum");

            VirtioNetHeader.write(
                    buffer,
                    0,
                    VirtioNetHeader.BYTES,
                    VirtioNetHeader.F_DATA_VALID,
                    VirtioNetHeader.GSO_NONE,
                    0,
                    0,
                    0,
                    0);
            buffer.set(ValueLayout.JAVA_BYTE, 12 + 9, (byte) 17); // UDP
            TunMiniport.indicateOffloads(nbl, buffer, 0, 12, 1000);
            assertEquals(0, OffloadInfo.coalescedSegmentCount(nbl), "not coalesced: the slot is cleared");
            assertEquals(0, OffloadInfo.coalescedSegmentSize(nbl));
            assertEquals(
                    OffloadInfo.RECEIVE_IP_CHECKSUM_SUCCEEDED | OffloadInfo.RECEIVE_UDP_CHECKSUM_SUCCEEDED,
                    OffloadInfo.receiveChecksum(nbl),
                    "DATA_VALID: the checksum is known good");

            VirtioNetHeader.write(buffer, 0, VirtioNetHeader.BYTES, 0, VirtioNetHeader.GSO_NONE, 0, 0, 0, 0);
            TunMiniport.indicateOffloads(nbl, buffer, 0, 12, 1000);
            assertEquals(0, OffloadInfo.receiveChecksum(nbl), "no flag: nothing was checked");
            nbl.free();
        }
    }

    @Test
    void theGrantedFeaturesAreTheMiniportsNdisOffloads() {
        assertEquals(OffloadCapabilities.NONE, TunMiniport.capabilitiesOf(TunOffloads.NONE));
        OffloadCapabilities checksumOnly = TunMiniport.capabilitiesOf(TunOffloads.CHECKSUM);
        assertTrue(checksumOnly.transmitChecksum());
        assertTrue(checksumOnly.receiveChecksum());
        assertTrue(checksumOnly.largeSend(false), "writing GSO packets needs only the header");
        assertFalse(checksumOnly.receiveCoalescingV4(), "no TSO asked: the kernel segments, no RSC");
        OffloadCapabilities all = TunMiniport.capabilitiesOf(TunOffloads.ALL);
        assertTrue(all.receiveCoalescingV4() && all.receiveCoalescingV6());
        assertEquals(65_535, all.maximumLargeSendSize());
    }

    @Test
    void featuresWithoutTheHeaderOrTsoWithoutChecksumAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TunOffloads(false, TunOffloads.TUN_F_CSUM));
        assertThrows(IllegalArgumentException.class, () -> new TunOffloads(true, TunOffloads.TUN_F_TSO4));
        assertEquals("vnet-hdr,csum,tso4,tso6,tso-ecn,uso4,uso6", TunOffloads.ALL.toString());
    }
}
