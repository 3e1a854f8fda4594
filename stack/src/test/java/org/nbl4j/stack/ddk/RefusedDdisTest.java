package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsAllocateCloneNetBufferList0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsAllocateDeepCloneNetBufferList0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsAllocateNetBufferAndNetBufferList0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsDereferenceNetBufferList0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsFreeCloneNetBufferList0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsNetBufferListAssociateContext1;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsNetBufferListGetTagForContext0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsNetBufferListRemoveContext0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsNetBufferListRetrieveContext0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsReferenceNetBufferList0;
import static org.nbl4j.stack.ddk.Fwpsk.STATUS_SUCCESS;
import static org.nbl4j.stack.ddk.NdisH.NDIS_DEFAULT_PORT_NUMBER;
import static org.nbl4j.stack.ddk.NdisH.NDIS_SEND_FLAGS_DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.NdisH.NdisAdvanceNetBufferDataStart;
import static org.nbl4j.stack.ddk.NdisH.NdisAllocateNetBufferList;
import static org.nbl4j.stack.ddk.NdisH.NdisFRestartComplete;
import static org.nbl4j.stack.ddk.NdisH.NdisFReturnNetBufferLists;
import static org.nbl4j.stack.ddk.NdisH.NdisFSendNetBufferLists;
import static org.nbl4j.stack.ddk.NdisH.NdisFreeNetBufferList;
import static org.nbl4j.stack.ddk.NdisH.NdisRetreatNetBufferDataStart;
import static org.nbl4j.stack.ddk.Wdm.HIGH_LEVEL;
import static org.nbl4j.stack.ddk.Wdm.KeLowerIrql;
import static org.nbl4j.stack.ddk.Wdm.KeRaiseIrql;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.LwfHandlers;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.NdisRule;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.NblEventType;
import org.nbl4j.stack.wfp.NblNotifyFn;

/**
 * A DDI whose {@code *_DISPATCH_LEVEL} flag lies is refused, not only reported, when the verifier only collects
 * violations ({@link ViolationPolicy#COLLECT}, as the cli and the JUnit extension run it): the NBL does not go down
 * and the reference is not dropped. The flag tells NDIS and WFP that they may skip raising the IRQL; honouring a false
 * one would run DISPATCH_LEVEL-only code at PASSIVE_LEVEL (ndis-buffers §6.2). Without the refusal (a
 * {@code dispatchFlagHonest} that reports but answers true) the calls would go on and these tests fail.
 */
class RefusedDdisTest {
    private Ndis ndis;
    private Adapter adapter;
    private LwfHandle lwf;
    private NetBufferListPool pool;

    @BeforeEach
    void attachAFilter() {
        ndis = Ndis.create(VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT));
        AtomicReference<LwfHandle> attached = new AtomicReference<>();
        adapter = Adapter.builder(ndis)
                .miniport(MemoryMiniport.builder().build())
                .lwf("refused", handle -> {
                    attached.set(handle);
                    return new LwfHandlers() {};
                })
                .build();
        lwf = attached.get();
        assertNotNull(lwf, "FilterAttach ran");
        pool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("Rfdd"), 256));
        assertNotNull(pool);
    }

    @AfterEach
    void detach() {
        adapter.close();
        pool.close();
        ndis.close();
    }

    private List<Rule> rules() {
        return ndis.verifier().violations().stream().map(Violation::rule).toList();
    }

    @Test
    @DisplayName("§6.2: NdisFSendNetBufferLists with NDIS_SEND_FLAGS_DISPATCH_LEVEL at PASSIVE_LEVEL sends nothing")
    void lyingSendFlagSendsNothing() {
        NetBufferList nbl = NdisAllocateNetBufferList(pool, 0, 0);
        assertNotNull(nbl);
        nbl.setSourceHandle(lwf);

        NdisFSendNetBufferLists(lwf, nbl, NDIS_DEFAULT_PORT_NUMBER, NDIS_SEND_FLAGS_DISPATCH_LEVEL);

        assertEquals(List.of(BufferRule.IRQL_DISPATCH_FLAG_LIES), rules());
        assertEquals(0, lwf.outstandingSends(), "nothing went to the miniport");
        NdisFreeNetBufferList(nbl); // still the filter's
        assertEquals(0, pool.outstanding());
    }

    @Test
    @DisplayName("§2.6, §6.2: FwpsDereferenceNetBufferList0 with dispatchLevel TRUE at PASSIVE_LEVEL drops nothing")
    void lyingDereferenceDropsNothing() {
        try (FilterEngine engine = new FilterEngine(ndis);
                SystemWfp.Binding _ = SystemWfp.bind(engine)) {
            NetBufferList nbl = NdisAllocateNetBufferList(pool, 0, 0);
            assertNotNull(nbl);
            FwpsReferenceNetBufferList0(nbl, false);

            FwpsDereferenceNetBufferList0(nbl, true);

            assertEquals(List.of(BufferRule.IRQL_DISPATCH_FLAG_LIES), rules());
            assertEquals(1, engine.buffers().referenceCount(nbl), "the reference is still held");
            FwpsDereferenceNetBufferList0(nbl, false);
            assertEquals(0, engine.buffers().referenceCount(nbl));
            NdisFreeNetBufferList(nbl);
        }
    }

    /** An NBL of the filter's pool with {@code length} bytes of data. */
    private NetBufferList withData(int length) {
        NetBufferList nbl = NdisAllocateNetBufferList(pool, 0, 0);
        assertNotNull(nbl);
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, NdisRetreatNetBufferDataStart(nb, length, 0, null));
        return nbl;
    }

    /** Runs {@code ddi} at HIGH_LEVEL, raised and lowered through the facade as a driver would. */
    private static void atHighLevel(Runnable ddi) {
        Ref<Integer> old = new Ref<>();
        KeRaiseIrql(HIGH_LEVEL, old);
        try {
            ddi.run();
        } finally {
            KeLowerIrql(old.value());
        }
    }

    @Test
    @DisplayName("§2: the WFP buffer and tagging functions above DISPATCH_LEVEL refuse, allocate and reference nothing")
    void wfpBufferFunctionsAboveDispatch() {
        try (FilterEngine engine = new FilterEngine(ndis);
                SystemWfp.Binding _ = SystemWfp.bind(engine)) {
            NetBufferList original = withData(20);
            long tag = FwpsNetBufferListGetTagForContext0();
            Ref<NetBufferList> clone = new Ref<>();
            Ref<NetBufferList> deepClone = new Ref<>();
            Ref<NetBufferList> allocated = new Ref<>();
            int[] status = new int[4];

            atHighLevel(() -> {
                status[0] = FwpsAllocateCloneNetBufferList0(original, null, null, 0, clone);
                status[1] = FwpsAllocateDeepCloneNetBufferList0(original, null, null, deepClone);
                status[2] = FwpsNetBufferListAssociateContext1(original, 0, 7L, tag, (e, n, m, l, c, t) -> 0, 0);
                FwpsReferenceNetBufferList0(original, false);
                status[3] = FwpsAllocateNetBufferAndNetBufferList0(pool, 0, 0, null, 0, 0, allocated);
            });

            assertEquals(NtStatus.STATUS_INVALID_DEVICE_STATE, status[0]);
            assertEquals(NtStatus.STATUS_INVALID_DEVICE_STATE, status[1]);
            assertEquals(NtStatus.STATUS_INVALID_DEVICE_STATE, status[2]);
            assertEquals(NtStatus.STATUS_INVALID_DEVICE_STATE, status[3]);
            assertNull(clone.value());
            assertNull(allocated.value());
            assertNull(deepClone.value());
            assertEquals(0, original.childRefCount(), "no clone points at it");
            assertEquals(0, engine.buffers().referenceCount(original), "no reference was taken");
            assertEquals(
                    List.of(
                            BufferRule.IRQL_TOO_HIGH,
                            BufferRule.IRQL_TOO_HIGH,
                            BufferRule.IRQL_TOO_HIGH,
                            BufferRule.IRQL_TOO_HIGH,
                            BufferRule.IRQL_TOO_HIGH),
                    rules());
            assertEquals(1, pool.outstanding(), "only the original");
            NdisFreeNetBufferList(original);
        }
    }

    @Test
    @DisplayName("§2.5: FwpsFreeCloneNetBufferList0 of a deep clone still retreated is refused: it stays allocated")
    void unrestoredCloneStaysAllocated() {
        try (FilterEngine engine = new FilterEngine(ndis);
                SystemWfp.Binding _ = SystemWfp.bind(engine)) {
            NetBufferList original = withData(20);
            Ref<NetBufferList> made = new Ref<>();
            assertEquals(STATUS_SUCCESS, FwpsAllocateDeepCloneNetBufferList0(original, null, null, made));
            NetBufferList clone = made.value();
            assertNotNull(clone);
            NetBuffer nb = clone.firstNetBuffer();
            assertNotNull(nb);
            // A deep clone's data has no headroom: the retreat puts a new MDL in front of the chain it was cloned with.
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, NdisRetreatNetBufferDataStart(nb, 8, 0, null));

            FwpsFreeCloneNetBufferList0(clone, 0);

            assertEquals(List.of(BufferRule.CLONE_STRUCTURE_NOT_RESTORED), rules());
            assertTrue(clone.isAllocated(), "freeing would leak the MDL the retreat added");
            assertEquals(1, original.childRefCount());
            NdisAdvanceNetBufferDataStart(nb, 8, true, null);
            FwpsFreeCloneNetBufferList0(clone, 0);
            assertFalse(clone.isAllocated());
            assertEquals(0, original.childRefCount());
            NdisFreeNetBufferList(original);
        }
    }

    @Test
    @DisplayName("§6.4: NdisFReturnNetBufferLists of the filter's own NBL is NBL_MISROUTED and returns nothing")
    void ownNblReturnedIsRefused() {
        NetBufferList nbl = withData(20);
        nbl.setSourceHandle(lwf);

        NdisFReturnNetBufferLists(lwf, nbl, 0);
        NdisFreeNetBufferList(nbl); // still the filter's: no second violation

        assertEquals(List.of(NdisRule.NBL_MISROUTED), rules());
        assertEquals(0, pool.outstanding());
    }

    @Test
    @DisplayName("NdisSetOptionalHandlers and NdisFRestartComplete while Running are FILTER_STATE")
    void stateDdisWhileRunning() {
        lwf.setOptionalHandlers(false, false);
        NdisFRestartComplete(lwf, STATUS_SUCCESS);

        assertEquals(List.of(NdisRule.FILTER_STATE, NdisRule.FILTER_STATE), rules());
    }

    @Test
    @DisplayName("§6.3: a filter without send handlers that sends its own NBL is FILTER_ORIGINATE_NOT_ALLOWED")
    void originatingWithoutSendHandlersIsRefused() {
        AtomicReference<LwfHandle> attached = new AtomicReference<>();
        Adapter bypassing = Adapter.builder(ndis)
                .miniport(MemoryMiniport.builder().build())
                .lwf("bypassing", handle -> {
                    attached.set(handle);
                    handle.setOptionalHandlers(false, true); // NdisSetOptionalHandlers in FilterAttach: no send path
                    return new LwfHandlers() {};
                })
                .build();
        try {
            LwfHandle filter = attached.get();
            assertNotNull(filter);
            NetBufferList nbl = withData(20);
            nbl.setSourceHandle(filter);

            NdisFSendNetBufferLists(filter, nbl, NDIS_DEFAULT_PORT_NUMBER, 0);

            assertEquals(List.of(NdisRule.FILTER_ORIGINATE_NOT_ALLOWED), rules());
            String detail = ndis.verifier().violations().getFirst().detail();
            assertTrue(detail.endsWith("bypassing the handlers their completion needs"), detail);
            assertEquals(0, filter.outstandingSends(), "its completion would have nowhere to go");
            NdisFreeNetBufferList(nbl);
        } finally {
            bypassing.close();
        }
    }

    @Test
    @DisplayName(
            "§2.7: FwpsNetBufferListRetrieveContext0 and RemoveContext0 refuse what fwpsk.h refuses and end nothing")
    void taggingRefusalsEndNoAssociation() {
        try (FilterEngine engine = new FilterEngine(ndis);
                SystemWfp.Binding _ = SystemWfp.bind(engine)) {
            NetBufferList tagged = withData(20);
            NetBufferList untagged = withData(20);
            List<Long> removed = new ArrayList<>();
            NblNotifyFn notify = (event, nbl, newNbl, layerId, context, tag) -> {
                if (event == NblEventType.CONTEXT_REMOVED) {
                    removed.add(context);
                }
                return STATUS_SUCCESS;
            };
            long first = FwpsNetBufferListGetTagForContext0();
            long latest = FwpsNetBufferListGetTagForContext0();
            assertEquals(STATUS_SUCCESS, FwpsNetBufferListAssociateContext1(tagged, 0, 7L, first, notify, 0));
            assertEquals(
                    STATUS_SUCCESS,
                    FwpsNetBufferListAssociateContext1(tagged, 0, 8L, latest, notify, 0),
                    "the latest tag issued is a tag");
            Ref<Long> context = new Ref<>();
            assertEquals(STATUS_SUCCESS, FwpsNetBufferListRetrieveContext0(tagged, latest, false, context));
            assertEquals(8L, context.value(), "each tag finds its own context");
            assertEquals(
                    STATUS_SUCCESS,
                    FwpsNetBufferListAssociateContext1(tagged, 0, 70L, first, notify, 0),
                    "associating a tag again replaces its context");
            assertEquals(STATUS_SUCCESS, FwpsNetBufferListRetrieveContext0(tagged, first, false, context));
            assertEquals(70L, context.value());
            context.set(null);

            // Tags never issued: 0 (what a refused FwpsNetBufferListGetTagForContext0 leaves) and the next one.
            for (long neverIssued : new long[] {0, latest + 1}) {
                assertEquals(
                        NtStatus.STATUS_INVALID_PARAMETER,
                        FwpsNetBufferListAssociateContext1(untagged, 0, 9L, neverIssued, notify, 0));
                assertEquals(
                        NtStatus.STATUS_INVALID_PARAMETER, FwpsNetBufferListRemoveContext0(tagged, neverIssued, 0));
            }
            assertEquals(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    FwpsNetBufferListRemoveContext0(tagged, first, 1),
                    "flags are reserved");
            long[] value = {-1};
            assertEquals(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    engine.tags().retrieveContext(tagged, first, true, 1, value),
                    "flags are reserved");
            assertEquals(-1, value[0], "nothing written");

            assertEquals(
                    NtStatus.STATUS_NOT_FOUND,
                    FwpsNetBufferListRetrieveContext0(untagged, first, false, context),
                    "an NBL WFP never tagged");
            assertEquals(NtStatus.STATUS_NOT_FOUND, FwpsNetBufferListRemoveContext0(untagged, first, 0));
            assertNull(context.value());

            int[] status = new int[2];
            atHighLevel(() -> {
                status[0] = FwpsNetBufferListRetrieveContext0(tagged, first, true, context);
                status[1] = FwpsNetBufferListRemoveContext0(tagged, latest, 0);
            });
            assertEquals(NtStatus.STATUS_INVALID_DEVICE_STATE, status[0]);
            assertEquals(NtStatus.STATUS_INVALID_DEVICE_STATE, status[1]);
            assertNull(context.value());
            assertEquals(List.of(BufferRule.IRQL_TOO_HIGH, BufferRule.IRQL_TOO_HIGH), rules());
            assertEquals(List.of(), removed, "no refused call ended an association");

            // Both associations are still there: removing the first notifies it and ends only it.
            assertEquals(STATUS_SUCCESS, FwpsNetBufferListRemoveContext0(tagged, first, 0));
            assertEquals(List.of(70L), removed);
            assertEquals(NtStatus.STATUS_NOT_FOUND, FwpsNetBufferListRetrieveContext0(tagged, first, false, context));
            assertEquals(STATUS_SUCCESS, FwpsNetBufferListRetrieveContext0(tagged, latest, false, context));
            assertEquals(8L, context.value());

            // Removed from every NBL, a tag is no longer issued, and an NBL loses it when WFP next touches it.
            assertEquals(STATUS_SUCCESS, FwpsNetBufferListRemoveContext0(null, latest, 0));
            assertEquals(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    FwpsNetBufferListAssociateContext1(untagged, 0, 9L, latest, notify, 0));
            assertEquals(List.of(70L), removed, "lazily");
            long third = FwpsNetBufferListGetTagForContext0();
            assertEquals(STATUS_SUCCESS, FwpsNetBufferListAssociateContext1(tagged, 0, 9L, third, notify, 0));
            assertEquals(List.of(70L, 8L), removed, "the association touched the NBL: the revoked tag went");
            NdisFreeNetBufferList(tagged);
            NdisFreeNetBufferList(untagged);
            assertEquals(List.of(70L, 8L, 9L), removed, "freeing the NBL ended the last association");
        }
    }

    @Test
    @DisplayName("FwpsNetBufferListAssociateContext1: a ninth tag on one NBL is refused with"
            + " STATUS_INSUFFICIENT_RESOURCES and associates nothing")
    void aNinthTagOnOneNblIsRefused() {
        try (FilterEngine engine = new FilterEngine(ndis);
                SystemWfp.Binding _ = SystemWfp.bind(engine)) {
            NetBufferList nbl = withData(20);
            NblNotifyFn notify = (event, changed, newNbl, layerId, context, tag) -> STATUS_SUCCESS;
            long[] tags = new long[9];
            for (int i = 0; i < tags.length; i++) {
                tags[i] = FwpsNetBufferListGetTagForContext0();
            }
            for (int i = 0; i < 8; i++) {
                assertEquals(STATUS_SUCCESS, FwpsNetBufferListAssociateContext1(nbl, 0, 100L + i, tags[i], notify, 0));
            }

            assertEquals(
                    NtStatus.STATUS_INSUFFICIENT_RESOURCES,
                    FwpsNetBufferListAssociateContext1(nbl, 0, 108L, tags[8], notify, 0));

            Ref<Long> context = new Ref<>();
            assertEquals(NtStatus.STATUS_NOT_FOUND, FwpsNetBufferListRetrieveContext0(nbl, tags[8], false, context));
            assertEquals(STATUS_SUCCESS, FwpsNetBufferListRetrieveContext0(nbl, tags[7], false, context));
            assertEquals(107L, context.value(), "the eight earlier associations stay");
            NdisFreeNetBufferList(nbl);
        }
    }
}
