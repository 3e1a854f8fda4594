package org.nbl4j.stack.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.ip;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.udp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.ddk.FWPS_CALLOUT;
import org.nbl4j.stack.ddk.FWPS_TRANSPORT_SEND_PARAMS0;
import org.nbl4j.stack.ddk.Fwpsk;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.ClassifyFn;
import org.nbl4j.stack.wfp.ClassifyHandle;
import org.nbl4j.stack.wfp.ClassifyOut;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FilterSpec;
import org.nbl4j.stack.wfp.InjectionHandle;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.PendedOperation;
import org.nbl4j.stack.wfp.WfpInfoContainers;
import org.nbl4j.stack.wfp.WfpRule;

/**
 * The host scenarios of wfp-callouts-and-injection §8.6 that the samples' tests do not show (S-INS-3's queued data,
 * S-INS-4, S-INS-5, S-DDP-4), played by a small inspect- or ddproxy-shaped driver written in this class through the
 * DDIs: it references and absorbs at the ALE, transport and datagram-data layers, keeps what it took in a queue, and
 * the test's thread plays the sample's PASSIVE_LEVEL worker. Each scenario ends with every NBL back at its miniport,
 * nothing in the WFP pools and no violation, unless the scenario is the violation.
 */
class HostScenariosTest {
    private static final String HOST = "198.51.100.2";
    private static final String REMOTE = "203.0.113.9";
    private static final int RECEIVE_BUFFERS = 16;

    private Ndis ndis;
    private Router router;
    private FilterEngine engine;
    private SystemWfp.Binding binding;
    private MemoryMiniport apps;
    private InjectionHandle injectionHandle;
    private final List<byte[]> toNet = Collections.synchronizedList(new ArrayList<>());
    private final List<byte[]> toApps = Collections.synchronizedList(new ArrayList<>());

    /** inspect's gConnList: pended connects, with the first datagram each referenced. */
    private final Deque<PendedConnect> connections = new ArrayDeque<>();
    /** inspect's and ddproxy's gPacketQueue: referenced, absorbed data packets. */
    private final Deque<PendedPacket> packets = new ArrayDeque<>();

    private int completions;

    /** A pended ALE_AUTH_CONNECT and the datagram that triggered it; the decision is read in the reauthorization. */
    private static final class PendedConnect {
        final PendedOperation completionContext;
        final @Nullable NetBufferList datagram;
        int decision;

        PendedConnect(PendedOperation completionContext, @Nullable NetBufferList datagram) {
            this.completionContext = completionContext;
            this.datagram = datagram;
        }
    }

    /** A referenced packet and what the worker needs to send its clone: ddproxy's DD_PROXY_PENDED_PACKET. */
    private record PendedPacket(
            NetBufferList original,
            long endpointHandle,
            int compartmentId,
            @Nullable FlowState flow) {}

    /** ddproxy's DD_PROXY_FLOW_CONTEXT: marked deleted by flowDeleteFn. */
    private static final class FlowState {
        boolean deleted;
        int deletions;
    }

    @BeforeEach
    void host() {
        ndis = Ndis.create(VerifierSettings.full()
                .withPolicy(ViolationPolicy.COLLECT)
                .withDriverCode(HostScenariosTest.class.getName()));
        HostBed host = HostBed.create(ndis, RECEIVE_BUFFERS, toApps, toNet);
        router = host.router();
        engine = host.engine();
        apps = host.apps();
        binding = SystemWfp.bind(engine);
        Ref<InjectionHandle> created = new Ref<>();
        assertEquals(
                Fwpsk.STATUS_SUCCESS,
                Fwpsk.FwpsInjectionHandleCreate0(Fwpsk.AF_UNSPEC, Fwpsk.FWPS_INJECTION_TYPE_TRANSPORT, created));
        injectionHandle = created.value();
    }

    @AfterEach
    void close() {
        binding.close();
        Fwpsk.FwpsInjectionHandleDestroy0(injectionHandle);
        router.close();
        ndis.close();
    }

    private int register(Layer layer, int flags, ClassifyFn classifyFn, @Nullable FlowState flow) {
        FWPS_CALLOUT callout = new FWPS_CALLOUT();
        callout.calloutKey = UUID.randomUUID();
        callout.flags = flags;
        callout.classifyFn = classifyFn;
        if (flow != null) {
            callout.flowDeleteFn = (layerId, calloutId, flowContext) -> {
                flow.deleted = true;
                flow.deletions++;
            };
        }
        Ref<Integer> calloutId = new Ref<>();
        assertEquals(Fwpsk.STATUS_SUCCESS, Fwpsk.FwpsCalloutRegister2(null, callout, calloutId));
        engine.addFilter(FilterSpec.callout(layer, ActionType.CALLOUT_TERMINATING, callout.calloutKey));
        return calloutId.value();
    }

    /** inspect's TLInspectALEConnectClassify: pend the first authorization, answer the reauthorization. */
    private void inspectConnects() {
        register(
                Layer.ALE_AUTH_CONNECT_V4,
                0,
                (values, metadata, layerData, context, filter, flowContext, out) -> {
                    if ((values.get(Fwpsk.FWPS_FIELD_ALE_AUTH_CONNECT_V4_FLAGS).integer()
                                    & Fwpsk.FWP_CONDITION_FLAG_IS_REAUTHORIZE)
                            != 0) {
                        PendedConnect decided = connections.removeFirst();
                        out.setActionType(decided.decision);
                        if (decided.decision == Fwpsk.FWP_ACTION_BLOCK) {
                            out.clearWriteRight();
                        }
                        return;
                    }
                    Ref<PendedOperation> completionContext = new Ref<>();
                    assertEquals(
                            Fwpsk.STATUS_SUCCESS,
                            Fwpsk.FwpsPendOperation0(metadata.completionHandle(), completionContext));
                    if (layerData != null) { // UDP: the datagram that triggered the connect
                        Fwpsk.FwpsReferenceNetBufferList0(layerData, true);
                    }
                    connections.add(new PendedConnect(completionContext.value(), layerData));
                    absorb(out);
                },
                null);
    }

    /** inspect's TLInspectTransportClassify (and ddproxy's DDProxyClassify with a flow): reference, queue, absorb. */
    private ClassifyFn queueing(@Nullable FlowState flow) {
        return (values, metadata, layerData, context, filter, flowContext, out) -> {
            int state = Fwpsk.FwpsQueryPacketInjectionState0(injectionHandle, layerData, null);
            if (state == Fwpsk.FWPS_PACKET_INJECTED_BY_SELF || state == Fwpsk.FWPS_PACKET_PREVIOUSLY_INJECTED_BY_SELF) {
                out.setActionType(Fwpsk.FWP_ACTION_PERMIT);
                return;
            }
            Fwpsk.FwpsReferenceNetBufferList0(layerData, true);
            packets.add(
                    new PendedPacket(layerData, metadata.transportEndpointHandle(), metadata.compartmentId(), flow));
            absorb(out);
        };
    }

    private static void absorb(ClassifyOut out) {
        out.setActionType(Fwpsk.FWP_ACTION_BLOCK);
        out.setFlags(out.flags() | Fwpsk.FWPS_CLASSIFY_OUT_FLAG_ABSORB);
        out.clearWriteRight();
    }

    /** The worker's TLInspectCompletePendedConnection: store the decision, complete (which reauthorizes). */
    private void completeConnect(int decision) {
        PendedConnect connect = connections.getFirst();
        connect.decision = decision;
        Fwpsk.FwpsCompleteOperation0(connect.completionContext, null);
        if (connect.datagram != null) {
            // BLOCK: the datagram is freed, never injected (S-INS-3). inspect would queue a permitted connect's
            // datagram for reinjection; these scenarios do not need it, so it is released either way.
            Fwpsk.FwpsDereferenceNetBufferList0(connect.datagram, false);
        }
    }

    /**
     * The worker's TLInspectCloneReinjectOutbound: clone, send, and on a failed send free the clone and release the
     * original in the same call (S-INS-4).
     *
     * @return the inject function's status
     */
    private int cloneReinjectOutbound(PendedPacket packet) {
        Ref<NetBufferList> clone = new Ref<>();
        assertEquals(
                Fwpsk.STATUS_SUCCESS, Fwpsk.FwpsAllocateCloneNetBufferList0(packet.original(), null, null, 0, clone));
        FWPS_TRANSPORT_SEND_PARAMS0 sendArgs = new FWPS_TRANSPORT_SEND_PARAMS0();
        sendArgs.remoteAddress = ip(REMOTE).getAddress();
        int status = Fwpsk.FwpsInjectTransportSendAsync0(
                injectionHandle,
                0,
                packet.endpointHandle(),
                0,
                sendArgs,
                Fwpsk.AF_INET,
                packet.compartmentId(),
                clone.value(),
                (completionContext, injected, dispatchLevel) -> {
                    completions++;
                    Fwpsk.FwpsFreeCloneNetBufferList0(injected, 0);
                    Fwpsk.FwpsDereferenceNetBufferList0(packet.original(), dispatchLevel);
                },
                null);
        if (status != Fwpsk.STATUS_SUCCESS) {
            Fwpsk.FwpsFreeCloneNetBufferList0(clone.value(), 0);
            Fwpsk.FwpsDereferenceNetBufferList0(packet.original(), false);
        }
        return status;
    }

    private void fromApps(byte[] packet) {
        assertTrue(apps.receive(packet));
        router.drain();
    }

    private static byte[] datagram(int sourcePort) {
        return ipv4(HOST, REMOTE, 17, 64, udp(sourcePort, 53, new byte[] {1, 2, 3, 4}));
    }

    private List<WfpRule> violations() {
        return ndis.verifier().violations().stream()
                .map(Violation::rule)
                .filter(WfpRule.class::isInstance)
                .map(WfpRule.class::cast)
                .toList();
    }

    /** Every NBL back at its miniport, the WFP pools empty, every injection completed. */
    private void assertQuiescent() {
        assertEquals(RECEIVE_BUFFERS, apps.freeReceiveBuffers(), "every original went back to its miniport");
        assertEquals(engine.injections(), engine.completions(), "injections = completions");
        assertEquals(0, ndis.poolUsage().diff(WfpInfoContainers.TAG), "Wfpn");
        assertEquals(0, ndis.poolUsage().diff(Ndis.DEFAULT_NBL_POOL_TAG), "clones");
    }

    /**
     * Spec §6.1 S-INS-3 (§8.6): with BlockTraffic the worker completes a pended connect with BLOCK; the datagram it
     * referenced is dereferenced and never injected, and nothing of the flow leaves.
     */
    @Test
    @DisplayName("S-INS-3: a pended UDP connect completed with BLOCK: its datagram is released, never injected")
    void sIns3BlockedConnectReleasesItsDatagram() {
        inspectConnects();
        fromApps(datagram(5000));
        assertEquals(1, connections.size(), "pended");
        completeConnect(Fwpsk.FWP_ACTION_BLOCK);
        fromApps(datagram(5000)); // the application sends again: the flow is blocked
        assertEquals(List.of(), toNet, "nothing of the flow leaves");
        assertEquals(0, engine.injections());
        assertEquals(2, engine.indications(Layer.ALE_AUTH_CONNECT_V4), "the connect and its reauthorization only");
        assertQuiescent();
        assertEquals(List.of(), violations());
    }

    /**
     * Spec §6.1 S-INS-4 (§8.6, §3.4): the inject function fails when the worker injects (here through §8.5's fault
     * switch, STATUS_FWP_TCPIP_NOT_READY; a handle being destroyed is ApiScenariosTest's API-6); the worker frees the
     * clone and releases the original in the same call, and the completion never runs.
     */
    @Test
    @DisplayName("S-INS-4: a failed transport send: the clone freed, the original released, no completion")
    void sIns4FailedInjectionFreesInTheSameCall() {
        register(Layer.OUTBOUND_TRANSPORT_V4, 0, queueing(null), null);
        fromApps(datagram(5001));
        assertEquals(1, packets.size(), "absorbed and queued");
        assertEquals(RECEIVE_BUFFERS - 1, apps.freeReceiveBuffers(), "held by the reference");
        engine.faults().setTcpipNotReady(true);
        assertEquals(Fwpsk.STATUS_FWP_TCPIP_NOT_READY, cloneReinjectOutbound(packets.removeFirst()));
        engine.faults().setTcpipNotReady(false);
        assertEquals(0, completions, "a failed inject never completes");
        assertEquals(List.of(), toNet);
        assertQuiescent();
        assertEquals(List.of(), violations());
    }

    /**
     * Spec §6.1 S-INS-5 (§8.6): the driver unloads with a connect pended and a packet queued; its unload completes the
     * connect (BLOCK) and releases the packet before it destroys the injection handle, and the flows' end finds no
     * pend left.
     */
    @Test
    @DisplayName("S-INS-5: unload completes every pended connect and releases every queued packet")
    void sIns5UnloadCompletesAndReleasesEverything() {
        inspectConnects();
        register(Layer.OUTBOUND_TRANSPORT_V4, 0, queueing(null), null);
        fromApps(datagram(5002)); // a connect pended
        assertEquals(1, connections.size());
        fromApps(ipv4(HOST, "203.0.113.10", 17, 64, udp(5003, 53, new byte[8])));
        assertEquals(2, connections.size(), "a second connect pended");
        completeConnect(Fwpsk.FWP_ACTION_PERMIT);
        fromApps(datagram(5002)); // the permitted flow's next datagram: queued at OUTBOUND_TRANSPORT
        assertEquals(1, packets.size());

        // TLInspectEvtDriverUnload: the worker's exit path, then the handle.
        while (!connections.isEmpty()) {
            completeConnect(Fwpsk.FWP_ACTION_BLOCK);
        }
        while (!packets.isEmpty()) {
            Fwpsk.FwpsDereferenceNetBufferList0(packets.removeFirst().original(), false);
        }
        Fwpsk.FwpsInjectionHandleDestroy0(injectionHandle);
        router.ip().endFlows();
        assertQuiescent();
        assertEquals(List.of(), violations(), "no pend outlived its flow");
    }

    /**
     * The twin of S-INS-5 that forgets: an unload that leaves a connect pended is reported when the flow ends
     * (PEND_NEVER_COMPLETED, spec §4.10), naming the line that pended it.
     */
    @Test
    @DisplayName("an unload that leaves a connect pended is PEND_NEVER_COMPLETED, naming where it was pended")
    void unloadLeavingAConnectPendedIsReported() {
        inspectConnects();
        fromApps(datagram(5004));
        Fwpsk.FwpsDereferenceNetBufferList0(connections.getFirst().datagram, false);
        router.ip().endFlows();
        assertEquals(List.of(WfpRule.PEND_NEVER_COMPLETED), violations());
        assertTrue(driverLineOf(WfpRule.PEND_NEVER_COMPLETED).contains("HostScenariosTest.lambda$inspectConnects$"));
    }

    /**
     * Spec §6.2 S-DDP-4 (§8.6, §4.9): ddproxy's datagram callout queues a flow's datagrams; the flow is deleted (here
     * aborted with FwpsFlowAbort0) before the worker runs; flowDeleteFn marks the context deleted, once, and the worker
     * drops and frees what was queued instead of injecting it.
     */
    @Test
    @DisplayName("S-DDP-4: a flow deleted while its datagrams are queued: they are dropped and freed")
    void sDdp4DeletedFlowDropsItsQueuedDatagrams() {
        FlowState flow = new FlowState();
        int datagramCalloutId =
                register(Layer.DATAGRAM_DATA_V4, Fwpsk.FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW, queueing(flow), flow);
        long[] flowId = new long[1];
        register(
                Layer.ALE_FLOW_ESTABLISHED_V4,
                0,
                (values, metadata, layerData, context, filter, flowContext, out) -> {
                    flowId[0] = metadata.flowHandle();
                    assertEquals(
                            Fwpsk.STATUS_SUCCESS,
                            Fwpsk.FwpsFlowAssociateContext0(
                                    metadata.flowHandle(), Fwpsk.FWPS_LAYER_DATAGRAM_DATA_V4, datagramCalloutId, 1));
                    out.setActionType(Fwpsk.FWP_ACTION_PERMIT);
                },
                null);
        fromApps(datagram(5005));
        fromApps(datagram(5005));
        assertEquals(2, packets.size(), "both datagrams queued");
        assertEquals(Fwpsk.STATUS_SUCCESS, Fwpsk.FwpsFlowAbort0(flowId[0]));
        assertEquals(1, flow.deletions, "flowDeleteFn once");
        // DDProxyWorker: a deleted flow's packets are freed, not reinjected.
        while (!packets.isEmpty()) {
            PendedPacket packet = packets.removeFirst();
            assertNotNull(packet.flow());
            assertTrue(packet.flow().deleted);
            Fwpsk.FwpsDereferenceNetBufferList0(packet.original(), false);
        }
        assertEquals(List.of(), toNet);
        assertEquals(0, engine.injections());
        assertQuiescent();
        assertEquals(List.of(), violations());
    }

    /**
     * Spec §3.9 API-8 (§8.6) at the transport layer, with §3.11's re-entry: a clone sent with
     * FwpsInjectTransportSendAsync0 comes back to OUTBOUND_TRANSPORT, where it is INJECTED_BY_SELF to its injector's
     * handle (with the injection context given) and INJECTED_BY_OTHER to another handle's.
     */
    @Test
    @DisplayName("API-8: a transport-send clone is INJECTED_BY_SELF to its handle, INJECTED_BY_OTHER to another")
    void api8TransportInjectionStates() {
        Ref<InjectionHandle> other = new Ref<>();
        assertEquals(
                Fwpsk.STATUS_SUCCESS,
                Fwpsk.FwpsInjectionHandleCreate0(Fwpsk.AF_INET, Fwpsk.FWPS_INJECTION_TYPE_TRANSPORT, other));
        List<String> seen = new ArrayList<>();
        register(
                Layer.OUTBOUND_TRANSPORT_V4,
                0,
                (values, metadata, layerData, context, filter, flowContext, out) -> {
                    Ref<Long> injectionContext = new Ref<>();
                    int self = Fwpsk.FwpsQueryPacketInjectionState0(injectionHandle, layerData, injectionContext);
                    int byOther = Fwpsk.FwpsQueryPacketInjectionState0(other.value(), layerData, null);
                    seen.add(self + "/" + byOther + "/" + injectionContext.value());
                    if (self == Fwpsk.FWPS_PACKET_INJECTED_BY_SELF) {
                        out.setActionType(Fwpsk.FWP_ACTION_PERMIT);
                        return;
                    }
                    Ref<NetBufferList> clone = new Ref<>();
                    assertEquals(
                            Fwpsk.STATUS_SUCCESS,
                            Fwpsk.FwpsAllocateCloneNetBufferList0(layerData, null, null, 0, clone));
                    FWPS_TRANSPORT_SEND_PARAMS0 sendArgs = new FWPS_TRANSPORT_SEND_PARAMS0();
                    sendArgs.remoteAddress = ip(REMOTE).getAddress();
                    assertEquals(
                            Fwpsk.STATUS_SUCCESS,
                            Fwpsk.FwpsInjectTransportSendAsync0(
                                    injectionHandle,
                                    77,
                                    metadata.transportEndpointHandle(),
                                    0,
                                    sendArgs,
                                    Fwpsk.AF_INET,
                                    metadata.compartmentId(),
                                    clone.value(),
                                    (completionContext, injected, dispatchLevel) -> {
                                        completions++;
                                        Fwpsk.FwpsFreeCloneNetBufferList0(injected, 0);
                                    },
                                    null));
                    absorb(out);
                },
                null);
        fromApps(datagram(5006));
        Fwpsk.FwpsInjectionHandleDestroy0(other.value());
        int notInjected = Fwpsk.FWPS_PACKET_NOT_INJECTED;
        assertEquals(
                List.of(
                        notInjected + "/" + notInjected + "/null",
                        Fwpsk.FWPS_PACKET_INJECTED_BY_SELF + "/" + Fwpsk.FWPS_PACKET_INJECTED_BY_OTHER + "/77"),
                seen);
        assertEquals(1, toNet.size(), "the clone left once");
        assertEquals(1, completions);
        assertQuiescent();
        assertEquals(List.of(), violations());
    }

    /** What the classify-handle callout below does with its handle. */
    private enum HandleUse {
        RELEASE_ONCE,
        RELEASE_TWICE,
        COMPLETE_WITHOUT_PEND,
        NEVER_RELEASE
    }

    /**
     * A callout at ALE_AUTH_CONNECT that acquires a classify handle, tries to pend the classification (no layer of
     * nbl4j allows it: spec §4.10 lists the redirect and endpoint-closure layers), and then uses the handle as told.
     *
     * @return the statuses of FwpsAcquireClassifyHandle0 and FwpsPendClassify0
     */
    private List<Integer> classifyHandleCallout(HandleUse use) {
        List<Integer> statuses = new ArrayList<>();
        register(
                Layer.ALE_AUTH_CONNECT_V4,
                0,
                (values, metadata, layerData, context, filter, flowContext, out) -> {
                    Ref<ClassifyHandle> handle = new Ref<>();
                    statuses.add(Fwpsk.FwpsAcquireClassifyHandle0(context, 0, handle));
                    statuses.add(Fwpsk.FwpsPendClassify0(handle.value(), filter.filterId(), 0, out));
                    switch (use) {
                        case RELEASE_ONCE -> Fwpsk.FwpsReleaseClassifyHandle0(handle.value());
                        case RELEASE_TWICE -> {
                            Fwpsk.FwpsReleaseClassifyHandle0(handle.value());
                            Fwpsk.FwpsReleaseClassifyHandle0(handle.value());
                        }
                        case COMPLETE_WITHOUT_PEND -> {
                            Fwpsk.FwpsCompleteClassify0(handle.value(), 0, null);
                            Fwpsk.FwpsReleaseClassifyHandle0(handle.value());
                        }
                        case NEVER_RELEASE -> {}
                    }
                    out.setActionType(Fwpsk.FWP_ACTION_PERMIT);
                },
                null);
        return statuses;
    }

    private String driverLineOf(WfpRule rule) {
        Violation violation = ndis.verifier().violations().stream()
                .filter(v -> v.rule() == rule)
                .findFirst()
                .orElseThrow();
        assertNotNull(violation.site());
        return violation.site().where();
    }

    /**
     * Spec §4.10: a classify handle is acquired and released once; FwpsPendClassify0 at a layer without asynchronous
     * classification answers STATUS_FWP_CANNOT_PEND, the documented answer, which is no violation.
     */
    @Test
    @DisplayName("a classify handle acquired, refused a pend (CANNOT_PEND) and released once: no violation")
    void classifyHandleAcquiredAndReleasedOnce() {
        List<Integer> statuses = classifyHandleCallout(HandleUse.RELEASE_ONCE);
        fromApps(datagram(5007));
        assertEquals(List.of(Fwpsk.STATUS_SUCCESS, Fwpsk.STATUS_FWP_CANNOT_PEND), statuses);
        assertEquals(1, toNet.size(), "permitted");
        engine.close();
        assertEquals(List.of(), violations());
    }

    /** Spec §4.10: one release per acquire; a second is CLASSIFY_HANDLE_MISUSE at the driver's line. */
    @Test
    @DisplayName("a classify handle released twice is CLASSIFY_HANDLE_MISUSE, at the driver's line")
    void classifyHandleReleasedTwice() {
        classifyHandleCallout(HandleUse.RELEASE_TWICE);
        fromApps(datagram(5008));
        assertEquals(List.of(WfpRule.CLASSIFY_HANDLE_MISUSE), violations());
        assertTrue(driverLineOf(WfpRule.CLASSIFY_HANDLE_MISUSE)
                .contains("HostScenariosTest.lambda$classifyHandleCallout$"));
    }

    /** Spec §4.10: FwpsCompleteClassify0 ends a pend; without one it is CLASSIFY_HANDLE_MISUSE at the driver's line. */
    @Test
    @DisplayName("FwpsCompleteClassify0 without a pend is CLASSIFY_HANDLE_MISUSE, at the driver's line")
    void classifyCompletedWithoutPend() {
        classifyHandleCallout(HandleUse.COMPLETE_WITHOUT_PEND);
        fromApps(datagram(5009));
        assertEquals(List.of(WfpRule.CLASSIFY_HANDLE_MISUSE), violations());
        assertTrue(driverLineOf(WfpRule.CLASSIFY_HANDLE_MISUSE)
                .contains("HostScenariosTest.lambda$classifyHandleCallout$"));
    }

    /**
     * Spec §4.10: every acquire is matched by a release. A handle still held when the engine closes (the driver
     * unloads) is CLASSIFY_HANDLE_LEAKED, naming the line that acquired it.
     */
    @Test
    @DisplayName("a classify handle never released is CLASSIFY_HANDLE_LEAKED at unload, naming where it was acquired")
    void classifyHandleLeakedAtUnload() {
        classifyHandleCallout(HandleUse.NEVER_RELEASE);
        fromApps(datagram(5010));
        assertEquals(List.of(), violations(), "nothing until the unload");
        engine.close();
        assertEquals(List.of(WfpRule.CLASSIFY_HANDLE_LEAKED), violations());
        assertTrue(driverLineOf(WfpRule.CLASSIFY_HANDLE_LEAKED)
                .contains("HostScenariosTest.lambda$classifyHandleCallout$"));
    }
}
