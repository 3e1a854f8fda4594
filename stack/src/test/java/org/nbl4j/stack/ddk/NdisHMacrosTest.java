package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.NdisH.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;

/** The lvalue macros as getter/setter pairs, read back through the core accessors, and the flag test macros. */
class NdisHMacrosTest {
    private final Ndis ndis = Ndis.create();
    private final Arena arena = Arena.ofConfined();
    private final NetBufferListPool pool;
    private final NetBufferList nbl;

    NdisHMacrosTest() {
        NET_BUFFER_LIST_POOL_PARAMETERS parameters = new NET_BUFFER_LIST_POOL_PARAMETERS();
        parameters.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        parameters.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
        parameters.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
        parameters.ProtocolId = NDIS_PROTOCOL_ID_TCP_IP;
        parameters.fAllocateNetBuffer = true;
        parameters.PoolTag = CLiteral.tag("rcaM");
        NetBufferListPool made = NdisAllocateNetBufferListPool(ndis, parameters);
        assertNotNull(made);
        pool = made;
        NetBufferList allocated = NdisAllocateNetBufferList(pool, 0, 0);
        assertNotNull(allocated);
        nbl = allocated;
    }

    @AfterEach
    void close() {
        NdisFreeNetBufferList(nbl);
        NdisFreeNetBufferListPool(pool);
        assertTrue(
                ndis.poolUsage().outstanding().isEmpty(),
                () -> "left: " + ndis.poolUsage().outstanding());
        ndis.close();
        arena.close();
    }

    @Test
    @DisplayName("NET_BUFFER_LIST_* pairs: the one-argument form reads what the two-argument form wrote")
    void netBufferListFields() {
        NetBufferList other = NdisAllocateNetBufferList(pool, 0, 0);
        assertNotNull(other);
        NET_BUFFER_LIST_NEXT_NBL(nbl, other);
        assertSame(other, nbl.next());
        assertSame(other, NET_BUFFER_LIST_NEXT_NBL(nbl));
        NET_BUFFER_LIST_NEXT_NBL(nbl, null);
        assertNull(nbl.next());

        NET_BUFFER_LIST_STATUS(nbl, NDIS_STATUS_SEND_ABORTED);
        assertEquals(0xC023000C, nbl.status(), "§8: SEND_ABORTED is not REQUEST_ABORTED");
        assertEquals(NDIS_STATUS_SEND_ABORTED, NET_BUFFER_LIST_STATUS(nbl));

        NET_BUFFER_LIST_NBL_FLAGS(nbl, NDIS_NBL_FLAGS_IS_IPV4 | NDIS_NBL_FLAGS_IS_TCP);
        assertEquals(0x0A00, nbl.nblFlags());
        assertTrue(NdisTestNblFlags(nbl, NDIS_NBL_FLAGS_IS_IPV4 | NDIS_NBL_FLAGS_IS_TCP));
        assertFalse(NdisTestNblFlags(nbl, NDIS_NBL_FLAGS_IS_IPV4 | NDIS_NBL_FLAGS_IS_UDP), "all bits");
        assertTrue(NdisTestNblFlag(nbl, NDIS_NBL_FLAGS_IS_IPV4 | NDIS_NBL_FLAGS_IS_UDP), "any bit");
        NdisClearNblFlag(nbl, NDIS_NBL_FLAGS_IS_TCP);
        assertEquals(NDIS_NBL_FLAGS_IS_IPV4, NET_BUFFER_LIST_NBL_FLAGS(nbl));

        int flags = NET_BUFFER_LIST_FLAGS(nbl);
        NET_BUFFER_LIST_FLAGS(nbl, flags | 0x00010000);
        assertEquals(flags | 0x00010000, nbl.flags(), "a scratch bit (NBL_FLAGS_SCRATCH)");
        assertEquals(0x000F0000, NBL_FLAGS_SCRATCH);

        NetBuffer first = NET_BUFFER_LIST_FIRST_NB(nbl);
        assertNotNull(first);
        NET_BUFFER_LIST_FIRST_NB(nbl, null);
        assertNull(nbl.firstNetBuffer());
        NET_BUFFER_LIST_FIRST_NB(nbl, first);
        assertSame(first, nbl.firstNetBuffer());

        NET_BUFFER_LIST_PROTOCOL_RESERVED(nbl)[3] = "mine";
        assertEquals("mine", nbl.protocolReserved()[3]);
        assertEquals(2, NET_BUFFER_LIST_MINIPORT_RESERVED(nbl).length);
        NdisFreeNetBufferList(other);
    }

    @Test
    @DisplayName("§4.4: NET_BUFFER_LIST_INFO holds NULL, packed values (as Long) and pointers; WFP's slot is refused")
    void info() {
        assertNull(NET_BUFFER_LIST_INFO(nbl, TcpIpChecksumNetBufferListInfo));
        NET_BUFFER_LIST_INFO(nbl, Ieee8021QNetBufferListInfo, 0x5A1L);
        assertEquals(0x5A1L, nbl.infoValue(Ieee8021QNetBufferListInfo));
        assertEquals(0x5A1L, (long) NET_BUFFER_LIST_INFO(nbl, Ieee8021QNetBufferListInfo));

        Object media = new Object();
        NET_BUFFER_LIST_INFO(nbl, MediaSpecificInformation, media);
        assertSame(media, nbl.info(MediaSpecificInformation));
        assertSame(media, NET_BUFFER_LIST_INFO(nbl, MediaSpecificInformation));

        NET_BUFFER_LIST_INFO(nbl, NetBufferListHashValue, NET_BUFFER_LIST_INFO(nbl, Ieee8021QNetBufferListInfo));
        assertEquals(0x5A1L, nbl.infoValue(NetBufferListHashValue), "a slot copied through the pair stays a value");
        assertNull(nbl.info(NetBufferListHashValue));
        NET_BUFFER_LIST_INFO(nbl, MediaSpecificInformation, (Object) null);
        assertNull(NET_BUFFER_LIST_INFO(nbl, MediaSpecificInformation));

        NET_BUFFER_LIST_SET_HASH_VALUE(nbl, 0xCAFEF00D);
        assertEquals(0xCAFEF00D, NET_BUFFER_LIST_GET_HASH_VALUE(nbl));
        assertEquals(0xCAFEF00DL, NET_BUFFER_LIST_INFO(nbl, NetBufferListHashValue), "ULONG in the slot");
        NET_BUFFER_LIST_SET_HASH_FUNCTION(nbl, 0x01);
        NET_BUFFER_LIST_SET_HASH_TYPE(nbl, 0x00000300);
        assertEquals(0x01, NET_BUFFER_LIST_GET_HASH_FUNCTION(nbl));
        assertEquals(0x00000300, NET_BUFFER_LIST_GET_HASH_TYPE(nbl));
        assertEquals(0x301L, NET_BUFFER_LIST_INFO(nbl, NetBufferListHashInfo), "§4.4: both under their masks");

        assertSame(NetBufferListFrameType, NetBufferListProtocolId, "aliases name the same slot");
        assertEquals(NDIS_PROTOCOL_ID_TCP_IP, NdisGetNetBufferListProtocolId(nbl), "from the pool (§4.6)");
        NdisSetNetBufferListProtocolId(nbl, NDIS_PROTOCOL_ID_NBF);
        assertEquals(NDIS_PROTOCOL_ID_NBF, nbl.protocolId());

        RuleViolation wfp =
                assertThrows(RuleViolation.class, () -> NET_BUFFER_LIST_INFO(nbl, WfpNetBufferListInfo, new Object()));
        assertEquals(BufferRule.INFO_SLOT_RESERVED, wfp.rule());
    }

    @Test
    @DisplayName("§6.7: cancel ids; NdisGeneratePartialCancelId gives distinct high bytes per NDIS instance")
    void cancelIds() {
        try (SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
            Set<Integer> ids = new HashSet<>();
            for (int i = 0; i < 256; i++) {
                int id = NdisGeneratePartialCancelId();
                assertTrue(id >= 0 && id <= 0xFF, "a UCHAR");
                ids.add(id);
            }
            assertEquals(256, ids.size(), "256 originators get 256 different values");
            long cancelId = ((long) NdisGeneratePartialCancelId() << 56) | 7;
            NDIS_SET_NET_BUFFER_LIST_CANCEL_ID(nbl, cancelId);
            assertEquals(cancelId, nbl.cancelId());
            assertEquals(cancelId, NDIS_GET_NET_BUFFER_LIST_CANCEL_ID(nbl));
            assertEquals(cancelId, NET_BUFFER_LIST_INFO(nbl, NetBufferListCancelId));
        }
        assertThrows(IllegalStateException.class, NdisH::NdisGeneratePartialCancelId, "no handle, no binding");
    }

    @Test
    @DisplayName("NET_BUFFER_* pairs write the NB fields the core reads")
    void netBufferFields() {
        NetBuffer nb = NET_BUFFER_LIST_FIRST_NB(nbl);
        assertNotNull(nb);
        MemorySegment memory = arena.allocate(64);
        Mdl head = NdisAllocateMdl(ndis, memory, 16);
        Mdl tail = NdisAllocateMdl(ndis, memory.asSlice(16), 48);
        NDIS_MDL_LINKAGE(head, tail);
        assertSame(tail, head.next());
        assertSame(tail, NDIS_MDL_LINKAGE(head));
        Ref<Mdl> next = new Ref<>();
        NdisGetNextMdl(head, next);
        assertSame(tail, next.value());

        // Re-pointing an NB one owns at a new chain (§4.7): all five fields, then the cursor.
        NET_BUFFER_FIRST_MDL(nb, head);
        NET_BUFFER_DATA_OFFSET(nb, 20);
        NET_BUFFER_DATA_LENGTH(nb, 40);
        NdisAdjustNetBufferCurrentMdl(nb);
        assertSame(head, nb.mdlChain());
        assertSame(tail, NET_BUFFER_CURRENT_MDL(nb));
        assertEquals(4, NET_BUFFER_CURRENT_MDL_OFFSET(nb));
        assertEquals(20, nb.dataOffset());
        assertEquals(40, nb.dataLength());
        nb.checkInvariants();
        NET_BUFFER_CURRENT_MDL(nb, head);
        NET_BUFFER_CURRENT_MDL_OFFSET(nb, 0);
        assertSame(head, nb.currentMdl());
        assertEquals(0, nb.currentMdlOffset());
        assertThrows(RuleViolation.class, nb::checkInvariants, "I2 broken by hand");
        NdisAdjustNetBufferCurrentMdl(nb);

        NET_BUFFER_CHECKSUM_BIAS(nb, 0x1_0005);
        assertEquals(5, NET_BUFFER_CHECKSUM_BIAS(nb), "a USHORT");
        NET_BUFFER_PROTOCOL_RESERVED(nb)[5] = "x";
        assertEquals("x", nb.protocolReserved()[5]);
        assertEquals(4, NET_BUFFER_MINIPORT_RESERVED(nb).length);
        assertNull(NET_BUFFER_NEXT_NB(nb));

        NET_BUFFER_FIRST_MDL(nb, null);
        NET_BUFFER_DATA_OFFSET(nb, 0);
        NET_BUFFER_DATA_LENGTH(nb, 0);
        NdisAdjustNetBufferCurrentMdl(nb);
        NdisFreeMdl(head);
        NdisFreeMdl(tail);
    }

    @Test
    @DisplayName("§2.3: NdisQueryMdl, NdisQueryMdlOffset, NdisAdjustMdlLength and its restore rule")
    void mdls() {
        MemorySegment memory = arena.allocate(4096 + 100, 4096);
        Mdl mdl = NdisAllocateMdl(ndis, memory.asSlice(4000), 100);
        Ref<MemorySegment> va = new Ref<>();
        Ref<Integer> length = new Ref<>();
        NdisQueryMdl(mdl, va, length, Wdm.NormalPagePriority);
        assertEquals(100, length.value());
        assertNotNull(va.value());
        assertEquals(memory.address() + 4000, va.value().address());
        NdisQueryMdl(mdl, null, length, Wdm.LowPagePriority);
        Ref<Integer> offset = new Ref<>();
        NdisQueryMdlOffset(mdl, offset, length);
        assertEquals(4000, offset.value(), "ByteOffset inside the page");
        assertEquals(2, NDIS_MDL_TO_SPAN_PAGES(mdl), "bytes 4000 to 4099 cross a page");

        NdisAdjustMdlLength(mdl, 10);
        assertEquals(10, Wdm.MmGetMdlByteCount(mdl));
        assertThrows(RuleViolation.class, () -> NdisAdjustMdlLength(mdl, 101), "beyond the allocated length");
        RuleViolation notRestored = assertThrows(RuleViolation.class, () -> NdisFreeMdl(mdl));
        assertEquals(BufferRule.MDL_LENGTH_NOT_RESTORED, notRestored.rule());
        NdisAdjustMdlLength(mdl, 100);
        NdisFreeMdl(mdl);
        RuleViolation twice = assertThrows(RuleViolation.class, () -> NdisFreeMdl(mdl));
        assertEquals(BufferRule.MDL_DOUBLE_FREE, twice.rule());
    }

    @Test
    @DisplayName("§6.2: the legacy flag test macros")
    void flagTests() {
        assertTrue(NDIS_TEST_SEND_AT_DISPATCH_LEVEL(NDIS_SEND_FLAGS_DISPATCH_LEVEL | NDIS_SEND_FLAGS_SINGLE_QUEUE));
        assertFalse(NDIS_TEST_SEND_AT_DISPATCH_LEVEL(NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK));
        assertTrue(NDIS_TEST_SEND_COMPLETE_AT_DISPATCH_LEVEL(NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL));
        assertFalse(NDIS_TEST_SEND_COMPLETE_AT_DISPATCH_LEVEL(NDIS_SEND_COMPLETE_FLAGS_SINGLE_QUEUE));
        assertTrue(NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL));
        assertFalse(NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(NDIS_RECEIVE_FLAGS_RESOURCES));
        assertTrue(NDIS_TEST_RECEIVE_CANNOT_PEND(NDIS_RECEIVE_FLAGS_RESOURCES));
        assertFalse(NDIS_TEST_RECEIVE_CAN_PEND(NDIS_RECEIVE_FLAGS_RESOURCES | NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL));
        assertTrue(NDIS_TEST_RECEIVE_CAN_PEND(NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE));
        assertTrue(NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(NDIS_RETURN_FLAGS_DISPATCH_LEVEL));
        assertFalse(NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(NDIS_RETURN_FLAGS_SINGLE_QUEUE));
        int returnFlags = 0;
        returnFlags = NDIS_SET_RETURN_FLAG(returnFlags, NDIS_RETURN_FLAGS_DISPATCH_LEVEL);
        returnFlags = NDIS_SET_RETURN_FLAG(returnFlags, NDIS_RETURN_FLAGS_SINGLE_QUEUE);
        assertEquals(0x3, returnFlags);
        assertNotEquals(NDIS_RECEIVE_FLAGS_RESOURCES, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
    }
}
