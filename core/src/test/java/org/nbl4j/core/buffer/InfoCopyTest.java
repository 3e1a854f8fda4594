package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

/** NdisCopySendNetBufferListInfo / NdisCopyReceiveNetBufferListInfo slot sets (§5.5, x64). */
class InfoCopyTest {
    /** §5.5 "Send copy = yes" (slot 7 handled separately). */
    private static final Set<Integer> SEND = Set.of(0, 1, 2, 3, 4, 5, 6, 8, 11, 12, 13, 14, 20, 22, 23, 24, 25);
    /** §5.5 "Receive copy = yes" (slot 5 only for loopback, handled separately). */
    private static final Set<Integer> RECEIVE =
            Set.of(0, 1, 2, 4, 6, 7, 8, 9, 11, 12, 13, 14, 16, 20, 22, 23, 24, 25, 26);

    private static final int WFP = NetBufferListInfo.WfpNetBufferListInfo.index();
    private static final int FRAME_TYPE = NetBufferListInfo.NetBufferListFrameType.index();
    private static final int CANCEL_ID = NetBufferListInfo.NetBufferListCancelId.index();

    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private final Ndis ndis = verification.create(VerifierSettings.full());
    private final NetBufferListPool tcpPool = pool(0x02, "IcTc");
    private final NetBufferListPool plainPool = pool(0x00, "IcPl");

    private NetBufferListPool pool(int protocolId, String tag) {
        NetBufferListPool pool = ndis.allocateNetBufferListPool(
                NetBufferListPoolParameters.of(protocolId, false, 0, PoolTag.of(tag), 0));
        assertNotNull(pool);
        return pool;
    }

    private static NetBufferList nbl(NetBufferListPool pool) {
        NetBufferList nbl = pool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        return nbl;
    }

    /** NdisFreeNetBufferList for each NBL a test allocated. */
    private static void free(NetBufferList... nbls) {
        for (NetBufferList nbl : nbls) {
            nbl.free();
        }
    }

    private static long sourceValue(int index) {
        return 0x5000L + index;
    }

    private static long destValue(int index) {
        return 0xD000L + index;
    }

    /** Every driver-writable slot of the source gets 0x5000+index, of the destination 0xD000+index. */
    private static void fill(NetBufferList source, NetBufferList dest) {
        for (NetBufferListInfo slot : NetBufferListInfo.values()) {
            if (slot.index() == WFP) {
                continue;
            }
            source.setInfoValue(slot, sourceValue(slot.index()));
            dest.setInfoValue(slot, destValue(slot.index()));
        }
        source.setWfpInfo(new Object());
    }

    @Test
    @DisplayName(
            "§5.5 send: exactly the send slot set is copied; others (9, 15-19, 21, 26, WFP 10) keep the destination's")
    void sendSlotSet() {
        NetBufferList source = nbl(plainPool);
        NetBufferList dest = nbl(plainPool);
        fill(source, dest);

        dest.copySendInfoFrom(source);

        for (NetBufferListInfo slot : NetBufferListInfo.values()) {
            int i = slot.index();
            if (i == FRAME_TYPE || i == WFP) {
                continue;
            }
            long expected = SEND.contains(i) ? sourceValue(i) : destValue(i);
            assertEquals(expected, dest.infoValue(slot), "slot " + i + " " + slot);
        }
        assertNull(dest.info(NetBufferListInfo.WfpNetBufferListInfo), "WFP slot is never copied");
        free(source, dest);
    }

    @Test
    @DisplayName("§5.5 receive: exactly the receive slot set is copied, slot 7 whole; 3, 5, 10, 15, 17-19, 21 are not")
    void receiveSlotSet() {
        NetBufferList source = nbl(plainPool);
        NetBufferList dest = nbl(plainPool);
        fill(source, dest);

        dest.copyReceiveInfoFrom(source);

        for (NetBufferListInfo slot : NetBufferListInfo.values()) {
            int i = slot.index();
            if (i == WFP) {
                continue;
            }
            long expected = RECEIVE.contains(i) ? sourceValue(i) : destValue(i);
            assertEquals(expected, dest.infoValue(slot), "slot " + i + " " + slot);
        }
        assertEquals(sourceValue(FRAME_TYPE), dest.infoValue(NetBufferListInfo.NetBufferListFrameType));
        assertNull(dest.info(NetBufferListInfo.WfpNetBufferListInfo));
        free(source, dest);
    }

    @Test
    @DisplayName("§5.5 send: slot 7 gets only its low byte set, to the low 4 bits of the source's protocol id")
    void sendProtocolIdLowByteOnly() {
        NetBufferList source = nbl(plainPool);
        NetBufferList dest = nbl(plainPool);
        source.setInfoValue(NetBufferListInfo.NetBufferListFrameType, 0x86DD_00A6L); // low byte 0xA6 → id 6
        dest.setInfoValue(NetBufferListInfo.NetBufferListFrameType, 0x0800_0033L);

        dest.copySendInfoFrom(source);

        assertEquals(0x0800_0006L, dest.infoValue(NetBufferListInfo.NetBufferListFrameType));
        assertEquals(0x06, dest.protocolId());
        free(source, dest);
    }

    @Test
    @DisplayName("§5.5 send: if the source's protocol id bits are 0 the source POOL's ProtocolId is used")
    void sendProtocolIdFallsBackToSourcePool() {
        NetBufferList source = nbl(tcpPool);
        source.setProtocolId(0x30); // low 4 bits 0
        NetBufferList dest = nbl(plainPool);
        dest.copySendInfoFrom(source);
        assertEquals(0x02, dest.protocolId(), "NDIS_PROTOCOL_ID_TCP_IP from the source's pool");
        free(source, dest);
    }

    @Test
    @DisplayName("§5.5 receive: the cancel id travels only for a loopback packet, and then the loopback flag too")
    void receiveCancelIdOnlyForLoopback() {
        NetBufferList source = nbl(plainPool);
        source.setCancelId(0x0100_0000_0000_0042L);
        NetBufferList notLoopback = nbl(plainPool);
        notLoopback.copyReceiveInfoFrom(source);
        assertEquals(0, notLoopback.cancelId());
        assertFalse(notLoopback.testNblFlag(NblFlags.NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET));

        source.setNblFlag(NblFlags.NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET);
        NetBufferList loopback = nbl(plainPool);
        loopback.copyReceiveInfoFrom(source);
        assertEquals(0x0100_0000_0000_0042L, loopback.cancelId());
        assertTrue(loopback.testNblFlag(NblFlags.NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET));
        assertEquals(0x8000, NblFlags.NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET);
        assertEquals(CANCEL_ID, 5);
        free(source, notLoopback, loopback);
    }

    @Test
    @DisplayName("§5.5: send carries CAPTURE_TIMESTAMP_ON_TRANSMIT (0x10000); neither carries other NblFlags")
    void nblFlagsPropagation() {
        assertEquals(0x10000, NblFlags.NDIS_NBL_FLAGS_CAPTURE_TIMESTAMP_ON_TRANSMIT);
        NetBufferList source = nbl(plainPool);
        source.setNblFlags(NblFlags.NDIS_NBL_FLAGS_CAPTURE_TIMESTAMP_ON_TRANSMIT
                | NblFlags.NDIS_NBL_FLAGS_IS_IPV4
                | NblFlags.NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET);

        NetBufferList sent = nbl(plainPool);
        sent.copySendInfoFrom(source);
        assertEquals(NblFlags.NDIS_NBL_FLAGS_CAPTURE_TIMESTAMP_ON_TRANSMIT, sent.nblFlags());

        NetBufferList received = nbl(plainPool);
        received.copyReceiveInfoFrom(source);
        assertEquals(NblFlags.NDIS_NBL_FLAGS_IS_LOOPBACK_PACKET, received.nblFlags());
        free(source, sent, received);
    }

    @Test
    @DisplayName("§5.5: reference-valued slots (MediaSpecificInformation) are copied as the same reference")
    void referencesAreShared() {
        NetBufferList source = nbl(plainPool);
        Object media = new Object();
        source.setInfo(NetBufferListInfo.MediaSpecificInformation, media);
        NetBufferList dest = nbl(plainPool);
        dest.copySendInfoFrom(source);
        assertSame(media, dest.info(NetBufferListInfo.MediaSpecificInformation));
        free(source, dest);
    }
}
