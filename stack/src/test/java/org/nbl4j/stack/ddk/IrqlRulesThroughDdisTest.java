package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.Fwpsk.AF_INET;
import static org.nbl4j.stack.ddk.Fwpsk.FWPS_INJECTION_TYPE_FORWARD;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsInjectForwardAsync0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsInjectNetworkSendAsync0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsInjectionHandleCreate0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsInjectionHandleDestroy0;
import static org.nbl4j.stack.ddk.Fwpsk.STATUS_SUCCESS;
import static org.nbl4j.stack.ddk.NdisH.NDIS_DEFAULT_PORT_NUMBER;
import static org.nbl4j.stack.ddk.NdisH.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.NdisH.NDIS_RETURN_FLAGS_DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.NdisH.NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.NdisH.NDIS_SEND_FLAGS_DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.NdisH.NdisAllocateMdl;
import static org.nbl4j.stack.ddk.NdisH.NdisAllocateMemoryWithTagPriority;
import static org.nbl4j.stack.ddk.NdisH.NdisAllocateNetBufferList;
import static org.nbl4j.stack.ddk.NdisH.NdisCopyReceiveNetBufferListInfo;
import static org.nbl4j.stack.ddk.NdisH.NdisCopySendNetBufferListInfo;
import static org.nbl4j.stack.ddk.NdisH.NdisFIndicateReceiveNetBufferLists;
import static org.nbl4j.stack.ddk.NdisH.NdisFReturnNetBufferLists;
import static org.nbl4j.stack.ddk.NdisH.NdisFSendNetBufferLists;
import static org.nbl4j.stack.ddk.NdisH.NdisFSendNetBufferListsComplete;
import static org.nbl4j.stack.ddk.NdisH.NdisFreeMdl;
import static org.nbl4j.stack.ddk.NdisH.NdisFreeMemory;
import static org.nbl4j.stack.ddk.NdisH.NdisFreeMemoryWithTagPriority;
import static org.nbl4j.stack.ddk.NdisH.NdisFreeNetBufferList;
import static org.nbl4j.stack.ddk.NdisH.NdisGeneratePartialCancelId;
import static org.nbl4j.stack.ddk.NdisH.NdisGetPoolFromNetBuffer;
import static org.nbl4j.stack.ddk.NdisH.NdisGetPoolFromNetBufferList;
import static org.nbl4j.stack.ddk.NdisH.NdisQueryMdl;
import static org.nbl4j.stack.ddk.NdisH.NdisQueryMdlOffset;
import static org.nbl4j.stack.ddk.Wdm.DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.Wdm.HIGH_LEVEL;
import static org.nbl4j.stack.ddk.Wdm.KeLowerIrql;
import static org.nbl4j.stack.ddk.Wdm.KeRaiseIrql;
import static org.nbl4j.stack.ddk.Wdm.MmGetSystemAddressForMdlSafe;
import static org.nbl4j.stack.ddk.Wdm.NormalPagePriority;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.LwfHandlers;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.InjectionHandle;

/**
 * IRQL rules as a ported driver meets them: through the DDIs of the facade, on a real filter module of a running
 * adapter, with the verifier at full (violations throw). Each test names the rule it breaks; removing that rule's
 * check from the Java API class behind the DDI ({@code LwfModule}, {@code InjectionHandle}, the core pools) lets the
 * call through and the test fail.
 */
class IrqlRulesThroughDdisTest {
    private Ndis ndis;
    private Adapter adapter;
    private LwfHandle lwf;
    private NetBufferListPool pool;

    @BeforeEach
    void attachAFilter() {
        ndis = Ndis.create(VerifierSettings.full());
        AtomicReference<LwfHandle> attached = new AtomicReference<>();
        adapter = Adapter.builder(ndis)
                .miniport(MemoryMiniport.builder().build())
                .lwf("irql", handle -> {
                    attached.set(handle);
                    return new LwfHandlers() {
                        /** The filter only sends its own NBLs, so every completion is its own to free. */
                        @Override
                        public void sendNetBufferListsComplete(LwfHandle from, NetBufferList chain, int flags) {
                            for (NetBufferList nbl = chain, next; nbl != null; nbl = next) {
                                next = nbl.next();
                                nbl.setNext(null);
                                NdisFreeNetBufferList(nbl);
                            }
                        }
                    };
                })
                .build();
        lwf = attached.get();
        assertNotNull(lwf, "FilterAttach ran");
        pool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("Irql"), 2048));
        assertNotNull(pool);
    }

    @AfterEach
    void detach() {
        adapter.close();
        pool.close();
        ndis.close();
    }

    /** An NBL the filter originates: a 20-byte packet with the filter as its SourceHandle. */
    private NetBufferList own() {
        NetBufferList nbl = pool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(20, 0, null));
        nb.write(0, new byte[] {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, (byte) 192, 0, 2, 1, (byte) 198, 51, 100, 1});
        nbl.setSourceHandle(lwf);
        return nbl;
    }

    /** Runs {@code ddi}, which must be refused with {@code rule}; returns the violation's text. */
    private static String refused(Rule rule, Executable ddi) {
        RuleViolation thrown = assertThrows(RuleViolation.class, ddi);
        assertEquals(rule, thrown.rule(), thrown::getMessage);
        return thrown.getMessage();
    }

    /** Runs {@code ddi} at {@code level}, raised and lowered through the facade as a driver would. */
    private static void at(int level, Executable ddi) throws Throwable {
        Ref<Integer> old = new Ref<>();
        KeRaiseIrql(level, old);
        try {
            ddi.execute();
        } finally {
            KeLowerIrql(old.value());
        }
    }

    @Test
    @DisplayName(
            "NdisFSendNetBufferLists with NDIS_SEND_FLAGS_DISPATCH_LEVEL at PASSIVE_LEVEL: IRQL_DISPATCH_FLAG_LIES")
    void sendFlagAtPassive() {
        NetBufferList nbl = own();
        String text = refused(
                BufferRule.IRQL_DISPATCH_FLAG_LIES,
                () -> NdisFSendNetBufferLists(lwf, nbl, NDIS_DEFAULT_PORT_NUMBER, NDIS_SEND_FLAGS_DISPATCH_LEVEL));
        assertTrue(text.contains("NdisFSendNetBufferLists was passed NDIS_SEND_FLAGS_DISPATCH_LEVEL"), text);
        assertTrue(text.contains("caller is at PASSIVE_LEVEL"), text);
        assertTrue(text.contains("/network/dispatch-irql-tracking"), text);
        NdisFreeNetBufferList(nbl); // refused, so still the filter's
    }

    @Test
    @DisplayName(
            "NdisFIndicateReceiveNetBufferLists with NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL at PASSIVE_LEVEL is refused")
    void receiveFlagAtPassive() {
        NetBufferList nbl = own();
        String text = refused(
                BufferRule.IRQL_DISPATCH_FLAG_LIES,
                () -> NdisFIndicateReceiveNetBufferLists(
                        lwf, nbl, NDIS_DEFAULT_PORT_NUMBER, 1, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL));
        assertTrue(text.contains("NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL"), text);
        NdisFreeNetBufferList(nbl);
    }

    @Test
    @DisplayName("NdisFReturnNetBufferLists with NDIS_RETURN_FLAGS_DISPATCH_LEVEL at PASSIVE_LEVEL is refused first")
    void returnFlagAtPassive() {
        NetBufferList nbl = own();
        // Without the flag check the return would be refused too, but as NBL_MISROUTED: the NBL is the filter's own.
        String text = refused(
                BufferRule.IRQL_DISPATCH_FLAG_LIES,
                () -> NdisFReturnNetBufferLists(lwf, nbl, NDIS_RETURN_FLAGS_DISPATCH_LEVEL));
        assertTrue(text.contains("NDIS_RETURN_FLAGS_DISPATCH_LEVEL"), text);
        NdisFreeNetBufferList(nbl);
    }

    @Test
    @DisplayName("NdisFSendNetBufferListsComplete with NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL at APC_LEVEL is refused")
    void sendCompleteFlagAtApc() throws Throwable {
        NetBufferList nbl = own();
        at(
                Wdm.APC_LEVEL,
                () -> refused(
                        BufferRule.IRQL_DISPATCH_FLAG_LIES,
                        () -> NdisFSendNetBufferListsComplete(lwf, nbl, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL)));
        NdisFreeNetBufferList(nbl);
    }

    @Test
    @DisplayName("the same flag at DISPATCH_LEVEL is honest: the send goes down and completes")
    void sendFlagAtDispatch() throws Throwable {
        NetBufferList nbl = own();
        at(
                DISPATCH_LEVEL,
                () -> NdisFSendNetBufferLists(lwf, nbl, NDIS_DEFAULT_PORT_NUMBER, NDIS_SEND_FLAGS_DISPATCH_LEVEL));
        assertEquals(1, lwf.outstandingSends(), "handed to the miniport");
        adapter.poll(0, 16);
        assertEquals(0, lwf.outstandingSends(), "completed back to the filter, which frees it");
        assertEquals(0, ndis.verifier().violations().size());
    }

    @Test
    @DisplayName("NdisFSendNetBufferLists above DISPATCH_LEVEL: IRQL_TOO_HIGH, citing Microsoft's page")
    void sendAboveDispatch() throws Throwable {
        NetBufferList nbl = own();
        at(HIGH_LEVEL, () -> {
            String text = refused(
                    BufferRule.IRQL_TOO_HIGH, () -> NdisFSendNetBufferLists(lwf, nbl, NDIS_DEFAULT_PORT_NUMBER, 0));
            assertTrue(text.contains("NdisFSendNetBufferLists requires IRQL <= DISPATCH_LEVEL"), text);
            assertTrue(text.contains("/ddi/ndis/nf-ndis-ndisfsendnetbufferlists"), text);
            assertTrue(text.contains("called at HIGH_LEVEL"), text);
        });
        NdisFreeNetBufferList(nbl);
    }

    @Test
    @DisplayName("NdisAllocateNetBufferList above DISPATCH_LEVEL: IRQL_TOO_HIGH (Irql_NetBuffer_Function)")
    void allocateAboveDispatch() throws Throwable {
        at(HIGH_LEVEL, () -> {
            String text = refused(BufferRule.IRQL_TOO_HIGH, () -> NdisAllocateNetBufferList(pool, 0, 0));
            assertTrue(text.contains("/ddi/nblapi/nf-nblapi-ndisallocatenetbufferlist"), text);
        });
        assertEquals(0, pool.outstanding(), "nothing was allocated");
    }

    @Test
    @DisplayName("FwpsInjectForwardAsync0 and FwpsInjectNetworkSendAsync0 above DISPATCH_LEVEL: IRQL_TOO_HIGH")
    void injectAboveDispatch() throws Throwable {
        try (FilterEngine engine = new FilterEngine(ndis);
                SystemWfp.Binding _ = SystemWfp.bind(engine)) {
            Ref<InjectionHandle> handle = new Ref<>();
            assertEquals(STATUS_SUCCESS, FwpsInjectionHandleCreate0(AF_INET, FWPS_INJECTION_TYPE_FORWARD, handle));
            InjectionHandle injector = handle.value();
            assertNotNull(injector);
            NetBufferList nbl = own();
            at(HIGH_LEVEL, () -> {
                String text = refused(
                        BufferRule.IRQL_TOO_HIGH,
                        () -> FwpsInjectForwardAsync0(
                                injector, 0, 0, AF_INET, 0, 1, nbl, (context, injected, dispatch) -> {}, null));
                assertTrue(text.contains("FwpsInjectForwardAsync0 requires IRQL <= DISPATCH_LEVEL"), text);
                assertTrue(text.contains("/ddi/fwpsk/nf-fwpsk-fwpsinjectforwardasync0"), text);
                refused(
                        BufferRule.IRQL_TOO_HIGH,
                        () -> FwpsInjectNetworkSendAsync0(
                                injector, 0, 0, 0, nbl, (context, injected, dispatch) -> {}, null));
            });
            assertEquals(0, injector.pendingInjections(), "nothing was injected");
            NdisFreeNetBufferList(nbl);
            assertEquals(STATUS_SUCCESS, FwpsInjectionHandleDestroy0(injector));
        }
    }

    @Test
    @DisplayName("FwpsInjectionHandleCreate0 at DISPATCH_LEVEL: IRQL_TOO_HIGH, the rule is == PASSIVE_LEVEL")
    void injectionHandleCreateAtDispatch() throws Throwable {
        try (FilterEngine engine = new FilterEngine(ndis);
                SystemWfp.Binding _ = SystemWfp.bind(engine)) {
            at(DISPATCH_LEVEL, () -> {
                String text = refused(
                        BufferRule.IRQL_TOO_HIGH,
                        () -> FwpsInjectionHandleCreate0(AF_INET, FWPS_INJECTION_TYPE_FORWARD, new Ref<>()));
                assertTrue(text.contains("FwpsInjectionHandleCreate0 requires IRQL == PASSIVE_LEVEL"), text);
            });
        }
    }

    /**
     * Runs {@code ddi} at HIGH_LEVEL, where it must be refused as IRQL_TOO_HIGH with the rule and its page cited:
     * {@code IRQL <= DISPATCH_LEVEL} on {@code learn.microsoft.com/.../ddi/<header>/nf-<header>-<ddi>}.
     */
    private static void refusedAboveDispatch(String name, String header, Executable ddi) throws Throwable {
        at(HIGH_LEVEL, () -> {
            String text = refused(BufferRule.IRQL_TOO_HIGH, ddi);
            assertTrue(text.contains(name + " requires IRQL <= DISPATCH_LEVEL"), text);
            assertTrue(text.contains("/ddi/" + header + "/nf-" + header + "-" + name.toLowerCase(Locale.ROOT)), text);
            assertTrue(text.contains("called at HIGH_LEVEL"), text);
        });
    }

    @Test
    @DisplayName("the MDL DDIs above DISPATCH_LEVEL: NdisQueryMdl(Offset), MmGetSystemAddressForMdlSafe, NdisFreeMdl")
    void mdlDdisAboveDispatch() throws Throwable {
        int tag = PoolTag.of("Irqm").value();
        MemoryBlock block = NdisAllocateMemoryWithTagPriority(ndis, 64, tag, NormalPagePriority);
        assertNotNull(block);
        Mdl mdl = NdisAllocateMdl(ndis, block, 64);
        assertNotNull(mdl);
        Ref<MemorySegment> address = new Ref<>();
        Ref<Integer> offset = new Ref<>();
        Ref<Integer> length = new Ref<>();

        refusedAboveDispatch("NdisQueryMdl", "ndis", () -> NdisQueryMdl(mdl, address, length, NormalPagePriority));
        refusedAboveDispatch("NdisQueryMdlOffset", "ndis", () -> NdisQueryMdlOffset(mdl, offset, length));
        refusedAboveDispatch(
                "MmGetSystemAddressForMdlSafe", "wdm", () -> MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));
        refusedAboveDispatch("NdisFreeMdl", "ndis", () -> NdisFreeMdl(mdl));
        assertTrue(mdl.isAllocated(), "the refused NdisFreeMdl freed nothing");

        // At DISPATCH_LEVEL, where the rule allows them, the same calls go through.
        at(DISPATCH_LEVEL, () -> {
            NdisQueryMdlOffset(mdl, offset, length);
            assertEquals(64, length.value());
            assertNotNull(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));
            NdisFreeMdl(mdl);
        });
        NdisFreeMemory(block, 64, 0);
    }

    @Test
    @DisplayName("NdisFreeMemory and NdisFreeMemoryWithTagPriority above DISPATCH_LEVEL free nothing")
    void memoryFreesAboveDispatch() throws Throwable {
        int tag = PoolTag.of("Irqf").value();
        MemoryBlock block = NdisAllocateMemoryWithTagPriority(ndis, 32, tag, NormalPagePriority);
        assertNotNull(block);
        refusedAboveDispatch("NdisFreeMemory", "ndis", () -> NdisFreeMemory(block, 32, 0));
        refusedAboveDispatch(
                "NdisFreeMemoryWithTagPriority", "ndis", () -> NdisFreeMemoryWithTagPriority(ndis, block, tag));
        assertEquals(1, ndis.poolUsage().diff(PoolTag.of("Irqf")), "still allocated");
        at(DISPATCH_LEVEL, () -> NdisFreeMemoryWithTagPriority(ndis, block, tag));
        assertEquals(0, ndis.poolUsage().diff(PoolTag.of("Irqf")));
    }

    @Test
    @DisplayName("NdisGetPoolFromNetBuffer(List) and NdisCopySend/ReceiveNetBufferListInfo above DISPATCH_LEVEL")
    void nblDdisAboveDispatch() throws Throwable {
        NetBufferList source = own();
        NetBufferList destination = own();
        NetBuffer nb = source.firstNetBuffer();
        assertNotNull(nb);
        refusedAboveDispatch("NdisGetPoolFromNetBuffer", "nblapi", () -> NdisGetPoolFromNetBuffer(nb));
        refusedAboveDispatch("NdisGetPoolFromNetBufferList", "nblapi", () -> NdisGetPoolFromNetBufferList(source));
        refusedAboveDispatch(
                "NdisCopySendNetBufferListInfo", "nblapi", () -> NdisCopySendNetBufferListInfo(destination, source));
        refusedAboveDispatch(
                "NdisCopyReceiveNetBufferListInfo",
                "nblapi",
                () -> NdisCopyReceiveNetBufferListInfo(destination, source));
        at(DISPATCH_LEVEL, () -> assertEquals(pool, NdisGetPoolFromNetBufferList(source)));
        NdisFreeNetBufferList(source);
        NdisFreeNetBufferList(destination);
    }

    @Test
    @DisplayName("NdisGeneratePartialCancelId above DISPATCH_LEVEL: refused, and takes no id")
    void partialCancelIdAboveDispatch() throws Throwable {
        try (SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
            refusedAboveDispatch("NdisGeneratePartialCancelId", "ndis", NdisH::NdisGeneratePartialCancelId);
            assertEquals(0, NdisGeneratePartialCancelId(), "the refused call took no value from the counter");
        }
    }
}
