package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.NdisH.*;
import static org.nbl4j.stack.ddk.Wdm.*;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NdisObjectHeader;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.Irql;

/**
 * Seed 001 (the OSR LWF thread) ported line by line onto the facade: the pool set-up, the per-NBL allocation over
 * tagged memory and an MDL, and the send preparation; each result is compared with what the core API gives.
 */
class Seed001PortTest {
    /** {@code sizeof(NBL_MYFILTER_CONTEXT)} of the seed's driver: any size that is not a multiple of 16 will do. */
    private static final int SIZEOF_NBL_MYFILTER_CONTEXT = 20;
    /** The seed's {@code NBL_DATA_TAG}; its value is not shown there. */
    private static final int NBL_DATA_TAG = CLiteral.tag("tadF");

    private final Ndis ndis = Ndis.create();
    /** The seed's {@code pFilter->LwfHandle}. */
    private final NdisHandle LwfHandle = () -> ndis;

    @AfterEach
    void close() {
        ndis.close();
    }

    /** The pool set-up exactly as posted: it never sets {@code Header.Revision}. */
    private NET_BUFFER_LIST_POOL_PARAMETERS postedPoolParameters() {
        NET_BUFFER_LIST_POOL_PARAMETERS PoolParameters = new NET_BUFFER_LIST_POOL_PARAMETERS();
        PoolParameters.DataSize = 123; // garbage the zeroing must clear
        NdisZeroMemory(PoolParameters, PoolParameters.sizeof());

        PoolParameters.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        PoolParameters.Header.Size = PoolParameters.sizeof();
        PoolParameters.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
        PoolParameters.ContextSize = CONTEXT_BUFFER_SIZE(SIZEOF_NBL_MYFILTER_CONTEXT);
        PoolParameters.fAllocateNetBuffer = TRUE;
        PoolParameters.PoolTag = CLiteral.tag("ooPF");
        return PoolParameters;
    }

    private NetBufferListPool seedPool() {
        NET_BUFFER_LIST_POOL_PARAMETERS PoolParameters = postedPoolParameters();
        PoolParameters.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
        NetBufferListPool SendNetBufferListPool = NdisAllocateNetBufferListPool(LwfHandle, PoolParameters);
        assertNotNull(SendNetBufferListPool);
        return SendNetBufferListPool;
    }

    @Test
    @DisplayName("§4.6: the pool set-up as posted leaves Header.Revision 0, and NDIS returns NULL for that")
    void postedSetUpIsRejected() {
        assertNull(NdisAllocateNetBufferListPool(LwfHandle, postedPoolParameters()));
    }

    @Test
    @DisplayName("with the revision set, the facade's pool has the parameters the core API builds for it")
    void poolMatchesCore() {
        NetBufferListPool pool = seedPool();
        NetBufferListPoolParameters core = new NetBufferListPoolParameters(
                new NdisObjectHeader(
                        NdisObjectHeader.NDIS_OBJECT_TYPE_DEFAULT,
                        NetBufferListPoolParameters.NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1,
                        NetBufferListPoolParameters.NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2),
                0,
                true,
                32,
                PoolTag.fromLiteral("ooPF"),
                0,
                0);
        assertEquals(core, pool.parameters());
        assertEquals("FPoo", pool.tag().toString(), "poolmon spells 'ooPF' forward");
        assertSame(ndis, pool.ndis(), "the filter handle chose the NDIS instance");
        NdisFreeNetBufferListPool(pool);
    }

    @Test
    @DisplayName("the per-NBL allocation and the send preparation of seed 001 give what the core API gives")
    void allocateAndPrepareSend() {
        NetBufferListPool pool = seedPool();
        try (SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
            int DataLength = 1530;
            // NdisAllocateMemoryWithTag(&pDataBuffer, 1530, NBL_DATA_TAG);
            Ref<MemoryBlock> pDataBuffer = new Ref<>();
            assertEquals(NDIS_STATUS_SUCCESS, NdisAllocateMemoryWithTag(pDataBuffer, 1530, NBL_DATA_TAG));
            MemoryBlock dataBuffer = pDataBuffer.value();
            assertNotNull(dataBuffer);
            // pMdl = NdisAllocateMdl(pFilter->LwfHandle, pDataBuffer, DataLength);
            Mdl pMdl = NdisAllocateMdl(LwfHandle, dataBuffer, DataLength);
            // pNetBufList = NdisAllocateNetBufferAndNetBufferList(Pool, 0, 0, pMdl, 0, 1530);
            NetBufferList pNetBufList = NdisAllocateNetBufferAndNetBufferList(pool, 0, 0, pMdl, 0, 1530);
            assertNotNull(pNetBufList);

            NetBufferList twin = pool.allocateNetBufferAndNetBufferList(0, 0, pMdl, 0, 1530);
            assertNotNull(twin);
            NetBuffer nb = NET_BUFFER_LIST_FIRST_NB(pNetBufList);
            NetBuffer twinNb = twin.firstNetBuffer();
            assertNotNull(nb);
            assertNotNull(twinNb);
            assertEquals(twinNb.toString(), nb.toString());
            assertSame(pMdl, NET_BUFFER_FIRST_MDL(nb));
            assertSame(pMdl, NET_BUFFER_CURRENT_MDL(nb));
            assertEquals(0, NET_BUFFER_DATA_OFFSET(nb));
            assertEquals(1530, NET_BUFFER_DATA_LENGTH(nb));
            assertEquals(twin.contextDataSize(), NET_BUFFER_LIST_CONTEXT_DATA_SIZE(pNetBufList));
            assertEquals(32, NET_BUFFER_LIST_CONTEXT_DATA_SIZE(pNetBufList), "the pool's preallocated context");
            twin.free();

            // The send path.
            byte[] header = new byte[14];
            byte[] lookahead = new byte[100];
            Arrays.fill(header, (byte) 0xEE);
            Arrays.fill(lookahead, (byte) 0x45);
            MemorySegment pHeaderBuffer = MemorySegment.ofArray(header);
            MemorySegment pLookaheadBuffer = MemorySegment.ofArray(lookahead);
            int uHeaderBufferSize = header.length;
            int uLookaheadBufferSize = lookahead.length;

            Ref<MemorySegment> pCopyBuf = new Ref<>();
            Ref<Integer> CurrLength = new Ref<>();
            NdisQueryMdl(pMdl, pCopyBuf, CurrLength, NormalPagePriority);
            assertEquals(1530, CurrLength.value());
            MemorySegment copyBuf = pCopyBuf.value();
            assertNotNull(copyBuf);

            pNetBufList.setSourceHandle(LwfHandle);

            NdisMoveMemory(copyBuf, pHeaderBuffer, uHeaderBufferSize);
            NdisMoveMemory(copyBuf.asSlice(uHeaderBufferSize), pLookaheadBuffer, uLookaheadBufferSize);

            NET_BUFFER_LIST_NEXT_NBL(pNetBufList, null); // last element of the list

            assertEquals(0, sendFlags(), "at PASSIVE_LEVEL");
            AtomicInteger atDispatch = new AtomicInteger(-1);
            Irql.runAt(Irql.DISPATCH_LEVEL, () -> atDispatch.set(sendFlags()));
            assertEquals(NDIS_SEND_FLAGS_DISPATCH_LEVEL, atDispatch.get());

            byte[] packet = nb.toByteArray();
            assertArrayEquals(header, Arrays.copyOfRange(packet, 0, 14), "the header reached the NB's data");
            assertArrayEquals(lookahead, Arrays.copyOfRange(packet, 14, 114));
            assertSame(LwfHandle, pNetBufList.sourceHandle());
            assertNull(NET_BUFFER_LIST_NEXT_NBL(pNetBufList));

            assertEquals(1, ndis.poolUsage().diff(PoolTag.of("Fdat")), "the data buffer under NBL_DATA_TAG");
            assertEquals(1, ndis.poolUsage().diff(PoolTag.of("FPoo")), "one NBL under the pool tag");

            NdisFreeNetBufferList(pNetBufList);
            NdisFreeMdl(pMdl);
            NdisFreeMemory(dataBuffer, 1530, 0);
        }
        NdisFreeNetBufferListPool(pool);
        assertTrue(
                ndis.poolUsage().outstanding().isEmpty(),
                () -> "left: " + ndis.poolUsage().outstanding());
    }

    /** The seed's {@code if (KeGetCurrentIrql() == DISPATCH_LEVEL) ... else uSendFlags = 0;}. */
    private static int sendFlags() {
        int uSendFlags;
        if (KeGetCurrentIrql() == DISPATCH_LEVEL) {
            uSendFlags = NDIS_SEND_FLAGS_DISPATCH_LEVEL;
        } else {
            uSendFlags = 0;
        }
        return uSendFlags;
    }
}
