package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsDereferenceNetBufferList0;
import static org.nbl4j.stack.ddk.Fwpsk.FwpsReferenceNetBufferList0;
import static org.nbl4j.stack.ddk.NdisH.NDIS_DEFAULT_PORT_NUMBER;
import static org.nbl4j.stack.ddk.NdisH.NDIS_SEND_FLAGS_DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.NdisH.NdisAllocateNetBufferList;
import static org.nbl4j.stack.ddk.NdisH.NdisFSendNetBufferLists;
import static org.nbl4j.stack.ddk.NdisH.NdisFreeNetBufferList;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.LwfHandlers;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.wfp.FilterEngine;

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
}
