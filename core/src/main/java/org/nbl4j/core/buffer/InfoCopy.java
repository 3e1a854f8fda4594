package org.nbl4j.core.buffer;

import static org.nbl4j.core.buffer.NetBufferListInfo.*;

import java.util.EnumSet;
import java.util.Set;

/**
 * {@code NdisCopySendNetBufferListInfo} and {@code NdisCopyReceiveNetBufferListInfo}: which slots and flags each
 * carries from one NBL to another (ndis-buffers §5.5, x64).
 */
final class InfoCopy {
    private static final Set<NetBufferListInfo> SEND = EnumSet.of(
            TcpIpChecksumNetBufferListInfo,
            IPsecOffloadV1NetBufferListInfo,
            TcpLargeSendNetBufferListInfo,
            ClassificationHandleNetBufferListInfo,
            Ieee8021QNetBufferListInfo,
            NetBufferListCancelId,
            MediaSpecificInformation,
            NetBufferListHashValue,
            IPsecOffloadV2TunnelNetBufferListInfo,
            IPsecOffloadV2HeaderNetBufferListInfo,
            NetBufferListCorrelationId,
            NetBufferListFilteringInfo,
            VirtualSubnetInfo,
            TcpRecvSegCoalesceInfo,
            RscTcpTimestampDelta,
            GftOffloadInformation,
            GftFlowEntryId);

    private static final Set<NetBufferListInfo> RECEIVE = EnumSet.of(
            TcpIpChecksumNetBufferListInfo,
            IPsecOffloadV1NetBufferListInfo,
            TcpLargeSendNetBufferListInfo,
            Ieee8021QNetBufferListInfo,
            MediaSpecificInformation,
            NetBufferListFrameType,
            NetBufferListHashValue,
            NetBufferListHashInfo,
            IPsecOffloadV2TunnelNetBufferListInfo,
            IPsecOffloadV2HeaderNetBufferListInfo,
            NetBufferListCorrelationId,
            NetBufferListFilteringInfo,
            NblOriginalInterfaceIfIndex,
            VirtualSubnetInfo,
            TcpRecvSegCoalesceInfo,
            RscTcpTimestampDelta,
            GftOffloadInformation,
            GftFlowEntryId,
            NetBufferListInfoReserved3);

    private InfoCopy() {}

    /**
     * The send set; the protocol id byte of slot 7 is set to the source's (its low four bits, or its pool's protocol
     * id when those are 0), and CAPTURE_TIMESTAMP_ON_TRANSMIT is carried.
     */
    static void send(NetBufferList target, NetBufferList source) {
        for (NetBufferListInfo slot : SEND) {
            Derivations.copySlot(target, source, slot);
        }
        int protocolId = source.protocolId() & 0x0F;
        target.setProtocolId(
                protocolId != 0 ? protocolId : source.pool.parameters().protocolId());
        int timestamp = NblFlags.NDIS_NBL_FLAGS_CAPTURE_TIMESTAMP_ON_TRANSMIT;
        target.nblFlags = (target.nblFlags & ~timestamp) | (source.nblFlags & timestamp);
    }

    /** The receive set; the cancel id and the loopback flag travel only for a loopback packet. */
    static void receive(NetBufferList target, NetBufferList source) {
        for (NetBufferListInfo slot : RECEIVE) {
            Derivations.copySlot(target, source, slot);
        }
        if (source.testNblFlag(NblFlags.NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET)) {
            Derivations.copySlot(target, source, NetBufferListCancelId);
            target.setNblFlag(NblFlags.NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET);
        }
    }
}
