package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.buffer.NetBufferListInfo.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

/** NetBufferListInfo (OOB) slots (§4.4, x64 with NDIS >= 6.80 headers). */
class InfoSlotsTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private final Ndis ndis = verification.create(VerifierSettings.full());
    private final NetBufferList nbl;

    InfoSlotsTest() {
        NetBufferListPool pool =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0x07, false, 0, PoolTag.of("IsPl"), 0));
        assertNotNull(pool);
        NetBufferList made = pool.allocateNetBufferList(0, 0);
        assertNotNull(made);
        nbl = made;
    }

    /** Runs before the extension checks the instance: the NBL every test works on goes back to its pool. */
    @AfterEach
    void freeNbl() {
        nbl.free();
    }

    @Test
    @DisplayName("§4.4: MaxNetBufferListInfo is 27 on x64")
    void maxNetBufferListInfo() {
        assertEquals(27, MaxNetBufferListInfo);
        assertEquals(27, NetBufferListInfo.values().length);
    }

    @Test
    @DisplayName("§4.4: slot indices of the x64 table")
    void slotIndices() {
        assertEquals(0, TcpIpChecksumNetBufferListInfo.index());
        assertEquals(1, IPsecOffloadV1NetBufferListInfo.index());
        assertEquals(2, TcpLargeSendNetBufferListInfo.index());
        assertEquals(3, ClassificationHandleNetBufferListInfo.index());
        assertEquals(4, Ieee8021QNetBufferListInfo.index());
        assertEquals(5, NetBufferListCancelId.index());
        assertEquals(6, MediaSpecificInformation.index());
        assertEquals(7, NetBufferListFrameType.index());
        assertEquals(8, NetBufferListHashValue.index());
        assertEquals(9, NetBufferListHashInfo.index());
        assertEquals(10, WfpNetBufferListInfo.index());
        assertEquals(11, IPsecOffloadV2TunnelNetBufferListInfo.index());
        assertEquals(12, IPsecOffloadV2HeaderNetBufferListInfo.index());
        assertEquals(13, NetBufferListCorrelationId.index());
        assertEquals(14, NetBufferListFilteringInfo.index());
        assertEquals(15, MediaSpecificInformationEx.index());
        assertEquals(16, NblOriginalInterfaceIfIndex.index());
        assertEquals(17, TcpReceiveBytesTransferred.index());
        assertEquals(18, SwitchForwardingReserved.index());
        assertEquals(19, SwitchForwardingDetail.index());
        assertEquals(20, VirtualSubnetInfo.index());
        assertEquals(21, IMReserved.index());
        assertEquals(22, TcpRecvSegCoalesceInfo.index());
        assertEquals(23, RscTcpTimestampDelta.index());
        assertEquals(24, GftOffloadInformation.index());
        assertEquals(25, GftFlowEntryId.index());
        assertEquals(26, NetBufferListInfoReserved3.index());
        for (NetBufferListInfo slot : NetBufferListInfo.values()) {
            assertSame(slot, NetBufferListInfo.ofIndex(slot.index()));
        }
    }

    @Test
    @DisplayName("§4.4: aliases that share an index")
    void aliases() {
        assertEquals("TcpOffloadBytesTransferred", TcpIpChecksumNetBufferListInfo.alias());
        assertEquals("IPsecOffloadV2NetBufferListInfo", IPsecOffloadV1NetBufferListInfo.alias());
        assertEquals("TcpReceiveNoPush", TcpLargeSendNetBufferListInfo.alias());
        assertEquals("NetBufferListProtocolId", NetBufferListFrameType.alias());
        assertEquals("NblReAuthWfpFlowContext", NblOriginalInterfaceIfIndex.alias());
        assertEquals("NrtNameResolutionId", TcpReceiveBytesTransferred.alias());
        assertEquals("UdpSegmentationOffloadInfo", TcpRecvSegCoalesceInfo.alias());
        assertEquals("TcpSendOffloadsSupplementalNetBufferListInfo", RscTcpTimestampDelta.alias());
    }

    @Test
    @DisplayName("§4.4/§4.10: no driver may store in WfpNetBufferListInfo (slot 10): RuleViolation INFO_SLOT_RESERVED")
    void wfpSlotIsReserved() {
        assertEquals(
                BufferRule.INFO_SLOT_RESERVED,
                assertThrows(RuleViolation.class, () -> nbl.setInfo(WfpNetBufferListInfo, new Object()))
                        .rule());
        assertEquals(
                BufferRule.INFO_SLOT_RESERVED,
                assertThrows(RuleViolation.class, () -> nbl.setInfoValue(WfpNetBufferListInfo, 1))
                        .rule());
        assertFalse(nbl.isInfoSet(WfpNetBufferListInfo));
        Object container = new Object();
        nbl.setWfpInfo(container); // WFP itself may
        assertSame(container, nbl.info(WfpNetBufferListInfo));
    }

    @Test
    @DisplayName("§4.4: protocol id helpers touch only the low byte of slot 7; the pool's id is stored at allocation")
    void protocolIdLowByteOnly() {
        assertEquals(0x07, nbl.protocolId(), "NDIS_PROTOCOL_ID_NBF from the pool");
        nbl.setInfoValue(NetBufferListFrameType, 0x86DD_0000L | 0x07);
        nbl.setProtocolId(0x1F2);
        assertEquals(0xF2, nbl.protocolId());
        assertEquals(0x86DD_00F2L, nbl.infoValue(NetBufferListFrameType), "upper bytes (EtherType) kept");
        nbl.setProtocolId(0x02);
        assertEquals(0x86DD_0002L, nbl.infoValue(NetBufferListFrameType));
    }

    @Test
    @DisplayName("§4.4: hash value in slot 8; hash info slot 9: function & 0x000000FF, type & 0x00FFFF00")
    void hashMasks() {
        nbl.setHashValue(0xDEADBEEF);
        assertEquals(0xDEADBEEF, nbl.hashValue());
        assertEquals(0xDEADBEEFL, nbl.infoValue(NetBufferListHashValue));

        nbl.setHashFunction(0x1FF);
        assertEquals(0xFF, nbl.hashFunction());
        nbl.setHashType(0x12345678);
        assertEquals(0x00345600, nbl.hashType());
        assertEquals(0xFF, nbl.hashFunction(), "setting the type keeps the function");
        assertEquals(0x003456FFL, nbl.infoValue(NetBufferListHashInfo));
        nbl.setHashFunction(0x01);
        assertEquals(0x00345600, nbl.hashType(), "setting the function keeps the type");
        assertEquals(0x00345601L, nbl.infoValue(NetBufferListHashInfo));
    }

    @Test
    @DisplayName("§4.4: cancel id is slot 5")
    void cancelId() {
        nbl.setCancelId(0xAB00_0000_0000_0001L);
        assertEquals(0xAB00_0000_0000_0001L, nbl.cancelId());
        assertEquals(0xAB00_0000_0000_0001L, nbl.infoValue(NetBufferListCancelId));
    }

    @Test
    @DisplayName("§4.2: NdisTestNblFlag is ANY of the bits, NdisTestNblFlags is ALL of them")
    void nblFlagHelpers() {
        int ipv4Tcp = NblFlags.NDIS_NBL_FLAGS_IS_IPV4 | NblFlags.NDIS_NBL_FLAGS_IS_TCP;
        assertEquals(0x200 | 0x800, ipv4Tcp);
        nbl.setNblFlag(NblFlags.NDIS_NBL_FLAGS_IS_IPV4);
        assertTrue(nbl.testNblFlag(ipv4Tcp));
        assertFalse(nbl.testNblFlags(ipv4Tcp));
        nbl.setNblFlag(NblFlags.NDIS_NBL_FLAGS_IS_TCP);
        assertTrue(nbl.testNblFlags(ipv4Tcp));
        nbl.clearNblFlag(NblFlags.NDIS_NBL_FLAGS_IS_IPV4);
        assertEquals(NblFlags.NDIS_NBL_FLAGS_IS_TCP, nbl.nblFlags());
        assertEquals(0x100, nbl.flags(), "NblFlags and the private Flags word are separate");
    }

    @Test
    @DisplayName("§4.2: the private Flags word partitions (NDIS >= 6.30) cover all 32 bits without overlap")
    void privateFlagPartitions() {
        int[] masks = {
            NblFlags.NBL_FLAGS_PROTOCOL_RESERVED,
            NblFlags.NBL_FLAGS_SCRATCH,
            NblFlags.NBL_FLAGS_MINIPORT_RESERVED,
            NblFlags.NBL_FLAGS_NDIS_RESERVED
        };
        assertEquals(0xFFF00003, masks[0]);
        assertEquals(0x000F0000, masks[1]);
        assertEquals(0x0000F000, masks[2]);
        assertEquals(0x00000FFC, masks[3]);
        int union = 0;
        for (int mask : masks) {
            assertEquals(0, union & mask);
            union |= mask;
        }
        assertEquals(0xFFFFFFFF, union);
        assertEquals(NblFlags.NBL_ALLOCATED, NblFlags.NBL_ALLOCATED & NblFlags.NBL_FLAGS_NDIS_RESERVED);
        assertEquals(NblFlags.NBL_ALLOCATION_CONTEXT, 0x400 & NblFlags.NBL_FLAGS_NDIS_RESERVED);
    }

    @Test
    @DisplayName("a slot holds a value or a reference: setting one form clears the other")
    void valueOrReference() {
        Object pointer = new Object();
        nbl.setInfo(MediaSpecificInformation, pointer);
        assertTrue(nbl.isInfoSet(MediaSpecificInformation));
        nbl.setInfoValue(MediaSpecificInformation, 42);
        assertNull(nbl.info(MediaSpecificInformation));
        assertEquals(42, nbl.infoValue(MediaSpecificInformation));
        nbl.setInfo(MediaSpecificInformation, null);
        assertEquals(0, nbl.infoValue(MediaSpecificInformation));
        assertFalse(nbl.isInfoSet(MediaSpecificInformation));
    }
}
