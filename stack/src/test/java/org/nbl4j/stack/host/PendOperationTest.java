package org.nbl4j.stack.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.tcp;
import static org.nbl4j.stack.ip.TestPackets.udp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.ddk.Fwpsk;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.ClassifyOut;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FilterSpec;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.PendedOperation;
import org.nbl4j.stack.wfp.WfpRule;

/**
 * Pending an ALE authorization through the DDIs (wfp-callouts-and-injection §4.10, §8.6 API-10, S-INS-1's connect
 * half): {@code FwpsPendOperation0} in ALE_AUTH_CONNECT's classify, {@code FwpsCompleteOperation0} later, which
 * reauthorizes with FWP_CONDITION_FLAG_IS_REAUTHORIZE; and the misuse the verifier reports with the driver's line.
 */
class PendOperationTest {
    private static final String HOST = "198.51.100.2";
    private static final String REMOTE = "203.0.113.9";

    private Ndis ndis;
    private Router router;
    private FilterEngine engine;
    private SystemWfp.Binding binding;
    private MemoryMiniport apps;
    private final List<byte[]> toNet = Collections.synchronizedList(new ArrayList<>());
    private final List<byte[]> toApps = Collections.synchronizedList(new ArrayList<>());

    /** What the inspect-shaped callout below saw and did. */
    private final List<PendedOperation> pended = new ArrayList<>();

    private final List<Integer> reauthorizations = new ArrayList<>();
    /** Whether the callout completes its pend on another thread before its classifyFn returns (a fast worker). */
    private boolean completeBeforeReturning;

    private int pendInReauthorization = -1;
    /** Whether the reauthorization blocks instead of permitting. */
    private boolean blockOnReauthorization;
    /** Whether the callout pends and then permits instead of returning BLOCK + ABSORB. */
    private boolean permitAfterPending;

    @BeforeEach
    void host() {
        // The test plays the driver: its class is driver code, although it lives in nbl4j's own package.
        ndis = Ndis.create(VerifierSettings.full()
                .withPolicy(ViolationPolicy.COLLECT)
                .withDriverCode(PendOperationTest.class.getName()));
        HostBed host = HostBed.create(ndis, 16, toApps, toNet);
        router = host.router();
        engine = host.engine();
        apps = host.apps();
        binding = SystemWfp.bind(engine);
        UUID key = UUID.randomUUID();
        engine.registerCallout(Callout.of(key, (values, metadata, layerData, context, filter, flowContext, out) -> {
            boolean reauthorize =
                    (values.get(Fwpsk.FWPS_FIELD_ALE_AUTH_CONNECT_V4_FLAGS).integer()
                                    & Fwpsk.FWP_CONDITION_FLAG_IS_REAUTHORIZE)
                            != 0;
            if (reauthorize) {
                reauthorizations.add(values.layerId());
                Ref<PendedOperation> again = new Ref<>();
                pendInReauthorization = Fwpsk.FwpsPendOperation0(metadata.completionHandle(), again);
                out.setActionType(blockOnReauthorization ? Fwpsk.FWP_ACTION_BLOCK : Fwpsk.FWP_ACTION_PERMIT);
                return;
            }
            assertTrue(Fwpsk.FWPS_IS_METADATA_FIELD_PRESENT(metadata, Fwpsk.FWPS_METADATA_FIELD_COMPLETION_HANDLE));
            Ref<PendedOperation> context2 = new Ref<>();
            assertEquals(Fwpsk.STATUS_SUCCESS, Fwpsk.FwpsPendOperation0(metadata.completionHandle(), context2));
            pended.add(context2.value());
            if (completeBeforeReturning) {
                Thread worker = Thread.ofPlatform().start(() -> Fwpsk.FwpsCompleteOperation0(context2.value(), null));
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            if (permitAfterPending) {
                out.setActionType(Fwpsk.FWP_ACTION_PERMIT);
                return;
            }
            out.setActionType(Fwpsk.FWP_ACTION_BLOCK);
            out.setFlags(out.flags() | ClassifyOut.FWPS_CLASSIFY_OUT_FLAG_ABSORB);
            out.clearWriteRight();
        }));
        engine.addFilter(FilterSpec.callout(Layer.ALE_AUTH_CONNECT_V4, ActionType.CALLOUT_TERMINATING, key));
    }

    @AfterEach
    void close() {
        binding.close();
        router.close();
        ndis.close();
    }

    private void send() {
        assertTrue(apps.receive(ipv4(HOST, REMOTE, 17, 64, udp(5000, 53, new byte[8]))));
        router.drain();
    }

    private List<WfpRule> violations() {
        return ndis.verifier().violations().stream()
                .map(Violation::rule)
                .filter(WfpRule.class::isInstance)
                .map(WfpRule.class::cast)
                .toList();
    }

    @Test
    @DisplayName(
            "a pended connect holds the flow back; completing it reauthorizes with IS_REAUTHORIZE, which cannot pend")
    void completionReauthorizes() {
        send();
        send();
        assertEquals(1, pended.size(), "the retransmission is not authorized again while pended");
        assertEquals(0, toNet.size(), "nothing leaves while pended");
        Fwpsk.FwpsCompleteOperation0(pended.getFirst(), null);
        assertEquals(List.of(Layer.ALE_AUTH_CONNECT_V4.id()), reauthorizations);
        assertEquals(Fwpsk.STATUS_FWP_CANNOT_PEND, pendInReauthorization, "§8.6 API-10");
        send();
        assertEquals(1, toNet.size(), "permitted by the reauthorization");
        assertEquals(
                2, engine.indications(Layer.ALE_AUTH_CONNECT_V4), "the first authorization and the reauthorization");
        assertEquals(List.of(), violations());
    }

    @Test
    @DisplayName("a flow whose first packet was pended is idle from that packet on: the next expiry does not end it")
    void pendedFlowIsNotIdleSinceTheEpoch() {
        send();
        router.ip()
                .expireFlows(System.nanoTime() + java.time.Duration.ofSeconds(2).toNanos());
        assertEquals(1, router.ip().flows().size(), "still open, its pend not broken");
        Fwpsk.FwpsCompleteOperation0(pended.getFirst(), null);
        send();
        assertEquals(1, toNet.size(), "the retransmission of the permitted flow leaves");
        assertEquals(List.of(), violations());
    }

    @Test
    @DisplayName("a pend a worker completes before the classifyFn returns keeps the reauthorization's decision")
    void completedBeforeTheClassifyReturns() {
        completeBeforeReturning = true;
        send();
        assertEquals(List.of(Layer.ALE_AUTH_CONNECT_V4.id()), reauthorizations);
        send();
        assertEquals(1, toNet.size(), "permitted by the reauthorization, not authorized again");
        assertEquals(2, engine.indications(Layer.ALE_AUTH_CONNECT_V4));
        assertEquals(List.of(), violations());
    }

    /**
     * The refused connect is answered once, by the completion that blocked it: the classifyFn's own BLOCK + ABSORB
     * only pended it, however soon the worker completed (a second reset raced in when the worker was faster).
     */
    @Test
    @DisplayName("a pended connect whose reauthorization blocks gets one reset, even when completed before the return")
    void blockedByTheReauthorizationBeforeTheClassifyReturns() {
        completeBeforeReturning = true;
        blockOnReauthorization = true;
        assertTrue(apps.receive(ipv4(HOST, REMOTE, 6, 64, tcp(40000, 80, 1000, 0, 0x02, new byte[0]))));
        router.drain();
        assertEquals(List.of(Layer.ALE_AUTH_CONNECT_V4.id()), reauthorizations);
        assertEquals(1, toApps.size(), "one reset toward the application");
        assertEquals(0x14, toApps.getFirst()[33] & 0xFF, "RST + ACK");
        assertEquals(0, toNet.size());
        assertEquals(List.of(), violations());
    }

    @Test
    @DisplayName("completing twice is PEND_COMPLETED_TWICE, at the driver's line")
    void completeTwice() {
        send();
        Fwpsk.FwpsCompleteOperation0(pended.getFirst(), null);
        Fwpsk.FwpsCompleteOperation0(pended.getFirst(), null);
        assertEquals(List.of(WfpRule.PEND_COMPLETED_TWICE), violations());
        assertTrue(driverLineOf(WfpRule.PEND_COMPLETED_TWICE).contains("PendOperationTest.completeTwice"));
    }

    @Test
    @DisplayName("completing a context no pend returned is PEND_NOT_PENDED")
    void completeUnpended() {
        Ref<PendedOperation> failed = new Ref<>();
        assertEquals(Fwpsk.STATUS_FWP_NULL_POINTER, Fwpsk.FwpsPendOperation0(12345, failed), "outside a classify");
        Fwpsk.FwpsCompleteOperation0(failed.value(), null);
        assertEquals(List.of(WfpRule.PEND_NOT_PENDABLE, WfpRule.PEND_NOT_PENDED), violations());
        assertTrue(driverLineOf(WfpRule.PEND_NOT_PENDED).contains("PendOperationTest.completeUnpended"));
    }

    @Test
    @DisplayName(
            "a flow that ends with its authorization still pended is PEND_NEVER_COMPLETED, naming where it was pended")
    void neverCompleted() {
        send();
        router.ip().endFlows();
        assertEquals(List.of(WfpRule.PEND_NEVER_COMPLETED), violations());
        Violation violation = ndis.verifier().violations().getLast();
        assertTrue(violation.detail().contains("PendOperationTest.lambda$host$"), violation.detail());
        assertTrue(driverLineOf(WfpRule.PEND_NEVER_COMPLETED).contains("PendOperationTest.lambda$host$"));
    }

    /**
     * Spec §4.10: only the ALE authorization layers can pend an operation; a transport layer's metadata has no
     * COMPLETION_HANDLE. A driver that pends there with the flow handle gets STATUS_FWP_NULL_POINTER and a
     * PEND_NOT_PENDABLE at its line.
     */
    @Test
    @DisplayName("pending at OUTBOUND_TRANSPORT answers STATUS_FWP_NULL_POINTER and is PEND_NOT_PENDABLE, at the line")
    void pendAtALayerThatCannotPend() {
        List<Integer> statuses = new ArrayList<>();
        UUID key = UUID.randomUUID();
        engine.registerCallout(Callout.of(key, (values, metadata, layerData, context, filter, flowContext, out) -> {
            assertFalse(Fwpsk.FWPS_IS_METADATA_FIELD_PRESENT(metadata, Fwpsk.FWPS_METADATA_FIELD_COMPLETION_HANDLE));
            Ref<PendedOperation> completionContext = new Ref<>();
            statuses.add(Fwpsk.FwpsPendOperation0(metadata.flowHandle(), completionContext));
            out.setActionType(Fwpsk.FWP_ACTION_PERMIT);
        }));
        engine.addFilter(FilterSpec.callout(Layer.OUTBOUND_TRANSPORT_V4, ActionType.CALLOUT_TERMINATING, key));
        send();
        Fwpsk.FwpsCompleteOperation0(pended.getFirst(), null);
        send();
        assertEquals(List.of(Fwpsk.STATUS_FWP_NULL_POINTER), statuses);
        assertEquals(1, toNet.size(), "the failed pend changed nothing");
        assertEquals(List.of(WfpRule.PEND_NOT_PENDABLE), violations());
        assertTrue(driverLineOf(WfpRule.PEND_NOT_PENDABLE)
                .contains("PendOperationTest.lambda$pendAtALayerThatCannotPend$"));
    }

    /**
     * Spec §4.10 and Microsoft's "Processing Classify Callouts Asynchronously": the classify that pends returns
     * FWP_ACTION_BLOCK with FWPS_CLASSIFY_OUT_FLAG_ABSORB. One that permits is PEND_NOT_ABSORBED, reported at the line
     * that pended (the classifyFn has returned by the time it is found).
     */
    @Test
    @DisplayName("pending and then permitting is PEND_NOT_ABSORBED, at the line that pended")
    void pendWithoutAbsorbing() {
        permitAfterPending = true;
        send();
        assertEquals(List.of(WfpRule.PEND_NOT_ABSORBED), violations());
        assertTrue(driverLineOf(WfpRule.PEND_NOT_ABSORBED).contains("PendOperationTest.lambda$host$"));
        Fwpsk.FwpsCompleteOperation0(pended.getFirst(), null);
    }

    private String driverLineOf(WfpRule rule) {
        Violation violation = ndis.verifier().violations().stream()
                .filter(v -> v.rule() == rule)
                .findFirst()
                .orElseThrow();
        assertNotNull(violation.site());
        return violation.site().where();
    }
}
