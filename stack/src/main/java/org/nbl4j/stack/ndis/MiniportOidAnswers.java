package org.nbl4j.stack.ndis;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;

/**
 * The OID handler of nbl4j's raw-IP miniports ({@code MiniportOidRequest}): answers the minimal set an NDIS 6 miniport
 * must, from the miniport's own properties, and {@code NDIS_STATUS_NOT_SUPPORTED} elsewhere. One instance per miniport:
 * it keeps the packet filter the protocol set.
 *
 * <p>Queries write little-endian C values into the information buffer and set {@code BytesWritten}; a buffer too short
 * gets {@code NDIS_STATUS_BUFFER_TOO_SHORT} with {@code BytesNeeded}. The medium has no link-layer address, so
 * {@code OID_802_3_CURRENT_ADDRESS} is not supported (docs/ndis-adapter.md, "OID requests").
 */
public final class MiniportOidAnswers {
    private static final int ULONG = Integer.BYTES;
    private static final int NDIS_OBJECT_TYPE_DEFAULT = 0x80;
    private static final int NDIS_STATISTICS_INFO_REVISION_1 = 1;
    private static final int NDIS_LINK_STATE_REVISION_1 = 1;
    /** The NDIS_STATISTICS_FLAGS_VALID_* bits of the counters {@link MiniportStatistics} has. */
    private static final int SUPPORTED_STATISTICS = 0x1 /* DIRECTED_FRAMES_RCV */
            | 0x8 /* BYTES_RCV */
            | 0x10 /* RCV_DISCARDS */
            | 0x20 /* RCV_ERROR */
            | 0x40 /* DIRECTED_FRAMES_XMIT */
            | 0x200 /* BYTES_XMIT */
            | 0x8000 /* XMIT_DISCARDS */;

    private final Miniport miniport;
    private volatile int packetFilter;

    /** The answers of {@code miniport}, read when each request comes. */
    public MiniportOidAnswers(Miniport miniport) {
        this.miniport = miniport;
    }

    /** The packet filter last set with {@code OID_GEN_CURRENT_PACKET_FILTER}; 0 until the protocol sets one. */
    public int packetFilter() {
        return packetFilter;
    }

    /** Answers {@code request} at once: never {@code NDIS_STATUS_PENDING}. */
    public int answer(OidRequest request) {
        return switch (request.requestType()) {
            case Oids.NdisRequestQueryInformation, Oids.NdisRequestQueryStatistics -> query(request);
            case Oids.NdisRequestSetInformation -> set(request);
            default -> NtStatus.NDIS_STATUS_NOT_SUPPORTED;
        };
    }

    private int query(OidRequest request) {
        return switch (request.oid()) {
            case Oids.OID_GEN_CURRENT_PACKET_FILTER -> writeUlong(request, packetFilter);
            case Oids.OID_GEN_MAXIMUM_FRAME_SIZE, Oids.OID_GEN_MAXIMUM_TOTAL_SIZE ->
                writeUlong(request, miniport.mtu());
            case Oids.OID_GEN_LINK_SPEED ->
                writeUlong(request, (int) Math.min(0xFFFF_FFFFL, miniport.linkSpeed() / 100));
            case Oids.OID_GEN_MEDIA_SUPPORTED, Oids.OID_GEN_MEDIA_IN_USE ->
                writeUlong(request, miniport.medium().value());
            case Oids.OID_GEN_MEDIA_CONNECT_STATUS ->
                writeUlong(request, miniport.linkState() == LinkState.CONNECTED ? 0 : 1);
            case Oids.OID_GEN_XMIT_OK ->
                writeUlong64(request, miniport.statistics().sentPackets());
            case Oids.OID_GEN_RCV_OK ->
                writeUlong64(request, miniport.statistics().receivedPackets());
            case Oids.OID_GEN_STATISTICS -> writeStatistics(request, miniport.statistics());
            case Oids.OID_GEN_LINK_STATE -> writeLinkState(request);
            default -> NtStatus.NDIS_STATUS_NOT_SUPPORTED;
        };
    }

    private int set(OidRequest request) {
        if (request.oid() != Oids.OID_GEN_CURRENT_PACKET_FILTER) {
            return NtStatus.NDIS_STATUS_NOT_SUPPORTED;
        }
        MemorySegment buffer = request.informationBuffer();
        if (buffer == null || request.informationBufferLength() < ULONG) {
            request.setBytesNeeded(ULONG);
            return NtStatus.NDIS_STATUS_INVALID_LENGTH;
        }
        packetFilter = buffer.get(JAVA_INT_UNALIGNED, 0);
        request.setBytesRead(ULONG);
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /** The buffer of a query if it holds {@code size} bytes; else records what is needed and returns null. */
    private static @Nullable MemorySegment room(OidRequest request, int size) {
        MemorySegment buffer = request.informationBuffer();
        if (buffer == null || request.informationBufferLength() < size || buffer.byteSize() < size) {
            request.setBytesNeeded(size);
            return null;
        }
        return buffer;
    }

    private static int writeUlong(OidRequest request, int value) {
        MemorySegment buffer = room(request, ULONG);
        if (buffer == null) {
            return NtStatus.NDIS_STATUS_BUFFER_TOO_SHORT;
        }
        buffer.set(JAVA_INT_UNALIGNED, 0, value);
        request.setBytesWritten(ULONG);
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    private static int writeUlong64(OidRequest request, long value) {
        MemorySegment buffer = room(request, Long.BYTES);
        if (buffer == null) {
            return NtStatus.NDIS_STATUS_BUFFER_TOO_SHORT;
        }
        buffer.set(JAVA_LONG_UNALIGNED, 0, value);
        request.setBytesWritten(Long.BYTES);
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /** {@code NDIS_STATISTICS_INFO} revision 1: the header, SupportedStatistics, then 18 ULONG64 counters. */
    private static int writeStatistics(OidRequest request, MiniportStatistics statistics) {
        int size = Oids.NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
        MemorySegment buffer = room(request, size);
        if (buffer == null) {
            return NtStatus.NDIS_STATUS_BUFFER_TOO_SHORT;
        }
        buffer.asSlice(0, size).fill((byte) 0);
        writeHeader(buffer, NDIS_STATISTICS_INFO_REVISION_1, size);
        buffer.set(JAVA_INT_UNALIGNED, 4, SUPPORTED_STATISTICS);
        long[] counters = {
            statistics.receiveDiscards(), // ifInDiscards
            statistics.receiveErrors(), // ifInErrors
            statistics.receivedBytes(), // ifHCInOctets
            statistics.receivedPackets(), // ifHCInUcastPkts: a raw-IP link has no link-layer broadcast
            0, // ifHCInMulticastPkts
            0, // ifHCInBroadcastPkts
            statistics.sentBytes(), // ifHCOutOctets
            statistics.sentPackets(), // ifHCOutUcastPkts
            0, // ifHCOutMulticastPkts
            0, // ifHCOutBroadcastPkts
            0, // ifOutErrors
            statistics.sendDiscards(), // ifOutDiscards
        };
        for (int i = 0; i < counters.length; i++) {
            buffer.set(JAVA_LONG_UNALIGNED, 8 + (long) i * Long.BYTES, counters[i]);
        }
        request.setBytesWritten(size);
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /**
     * {@code NDIS_LINK_STATE} revision 1: header, MediaConnectState, MediaDuplexState, XmitLinkSpeed, RcvLinkSpeed,
     * PauseFunctions, AutoNegotiationFlags.
     */
    private int writeLinkState(OidRequest request) {
        int size = Oids.NDIS_SIZEOF_LINK_STATE_REVISION_1;
        MemorySegment buffer = room(request, size);
        if (buffer == null) {
            return NtStatus.NDIS_STATUS_BUFFER_TOO_SHORT;
        }
        buffer.asSlice(0, size).fill((byte) 0);
        writeHeader(buffer, NDIS_LINK_STATE_REVISION_1, size);
        buffer.set(JAVA_INT_UNALIGNED, 4, miniport.linkState().ordinal());
        buffer.set(JAVA_INT_UNALIGNED, 8, 2); // MediaDuplexStateFull
        buffer.set(JAVA_LONG_UNALIGNED, 16, miniport.linkSpeed());
        buffer.set(JAVA_LONG_UNALIGNED, 24, miniport.linkSpeed());
        request.setBytesWritten(size);
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    private static void writeHeader(MemorySegment buffer, int revision, int size) {
        buffer.set(JAVA_BYTE, 0, (byte) NDIS_OBJECT_TYPE_DEFAULT);
        buffer.set(JAVA_BYTE, 1, (byte) revision);
        buffer.set(JAVA_SHORT_UNALIGNED, 2, (short) size);
    }
}
