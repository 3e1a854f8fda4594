package org.nbl4j.stack.scenarios;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.HostModel;
import org.nbl4j.stack.ip.IpStack;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.ClassifyFn;
import org.nbl4j.stack.wfp.ClassifyOut;
import org.nbl4j.stack.wfp.InboundIpPacketField;
import org.nbl4j.stack.wfp.InjectionCompletion;
import org.nbl4j.stack.wfp.InjectionHandle;
import org.nbl4j.stack.wfp.InjectionState;
import org.nbl4j.stack.wfp.InjectionType;
import org.nbl4j.stack.wfp.IpForwardField;

/**
 * A port of WFPSampler's {@code ClassifyBasicPacketInjection} inline flow (wfp-callouts-and-injection §6.4) for the
 * IPv4 IP layers: query the injection state with this injector's handle, PERMIT what it injected itself, otherwise
 * BLOCK + ABSORB with the write right cleared, clone (retreating the IP header at INBOUND_IPPACKET first) and inject
 * the clone with the injector the layer calls for; the completion frees the clone. Each instance is one injector with
 * its own handles, so two instances see each other's packets as INJECTED_BY_OTHER.
 */
final class BasicPacketInjection {
    final InjectionHandle forward;
    final InjectionHandle network;
    /** The injection states this injector's classify saw, in order. */
    final List<InjectionState> states = Collections.synchronizedList(new ArrayList<>());
    /** The Status of each completed injection, in order. */
    final List<Integer> completions = Collections.synchronizedList(new ArrayList<>());
    /** The injectionContext this injector passes, and the one the query returned for SELF/PREVIOUSLY_SELF. */
    final long injectionContext;

    final List<Long> contextsSeen = Collections.synchronizedList(new ArrayList<>());
    /** The fragment-group indications the forward classify left alone. */
    final AtomicInteger groupsSeen = new AtomicInteger();

    private final CountedWfp wfp;
    private final InjectionCompletion freeClone;
    /**
     * Whether weak-host packets are reinjected with network receive or send (the sample) or forward-injected (the
     * mistake the sample's comment warns about).
     */
    boolean weakHostAware = true;

    BasicPacketInjection(ScenarioHost host, long injectionContext) {
        this.wfp = host.wfp;
        this.injectionContext = injectionContext;
        this.forward = host.handle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_FORWARD);
        this.network = host.handle(AddressFamily.INET, InjectionType.FWPS_INJECTION_TYPE_NETWORK);
        this.freeClone = wfp.completion((context, nbl, dispatchLevel) -> {
            completions.add(nbl.status());
            wfp.freeClone(nbl);
        });
    }

    /**
     * {@code PerformBasicPacketInjectionAtForward}: a fragment group is left alone (step 3 of the classify: its
     * fragments are injected one by one when they are indicated alone, §5.6 item 3); a weak-host pass-through is
     * reinjected with network receive (IS_INBOUND_PASS_THRU) or network send (IS_OUTBOUND_PASS_THRU), and the
     * injection state is queried with that handle; everything else is forward-injected.
     */
    ClassifyFn atForward() {
        return (values, metadata, nbl, context, filter, flow, out) -> {
            int flags = (int) values.get(IpForwardField.FLAGS).integer();
            if ((flags & IpStack.FWP_CONDITION_FLAG_IS_FRAGMENT_GROUP) != 0) {
                groupsSeen.incrementAndGet();
                return;
            }
            boolean inbound = (flags & HostModel.FWP_CONDITION_FLAG_IS_INBOUND_PASS_THRU) != 0 && weakHostAware;
            boolean outbound = (flags & HostModel.FWP_CONDITION_FLAG_IS_OUTBOUND_PASS_THRU) != 0 && weakHostAware;
            if (!takes(inbound || outbound ? network : forward, nbl, out)) {
                return;
            }
            NetBufferList clone = wfp.clone(nbl);
            int destination =
                    (int) values.get(IpForwardField.DESTINATION_INTERFACE_INDEX).integer();
            int status;
            if (inbound) {
                int subInterface = (int) values.get(IpForwardField.DESTINATION_SUB_INTERFACE_INDEX)
                        .integer();
                status = network.injectNetworkReceiveAsync(
                        injectionContext,
                        0,
                        metadata.compartmentId(),
                        destination,
                        subInterface,
                        clone,
                        freeClone,
                        null);
            } else if (outbound) {
                status = network.injectNetworkSendAsync(
                        injectionContext, 0, metadata.compartmentId(), clone, freeClone, null);
            } else {
                status = forward.injectForwardAsync(
                        injectionContext,
                        0,
                        AddressFamily.INET,
                        metadata.compartmentId(),
                        destination,
                        clone,
                        freeClone,
                        null);
            }
            if (wfp.injection(status) != NtStatus.STATUS_SUCCESS) {
                wfp.freeClone(clone);
            }
        };
    }

    /** {@code PerformBasicPacketInjectionAtOutboundNetwork}: the data already starts at the IP header. */
    ClassifyFn atOutboundNetwork() {
        return (values, metadata, nbl, context, filter, flow, out) -> {
            if (!takes(network, nbl, out)) {
                return;
            }
            NetBufferList clone = wfp.clone(nbl);
            int status = network.injectNetworkSendAsync(
                    injectionContext, 0, metadata.compartmentId(), clone, freeClone, null);
            if (wfp.injection(status) != NtStatus.STATUS_SUCCESS) {
                wfp.freeClone(clone);
            }
        };
    }

    /**
     * {@code PerformBasicPacketInjectionAtInboundNetwork}: retreat the IP header, clone, advance back, recompute the
     * clone's IPv4 header checksum (§3.12 item 7, I-9) and inject it with network receive on the arrival interface.
     */
    ClassifyFn atInboundNetwork() {
        return (values, metadata, nbl, context, filter, flow, out) -> {
            if (!takes(network, nbl, out)) {
                return;
            }
            int ipHeaderSize = metadata.ipHeaderSize();
            NetBuffer nb = nbl.firstNetBuffer();
            nb.retreat(ipHeaderSize, 0, null);
            NetBufferList clone;
            try {
                clone = wfp.clone(nbl);
            } finally {
                nb.advance(ipHeaderSize, false, null);
            }
            Packets.recomputeIpv4Checksum(clone);
            int status = network.injectNetworkReceiveAsync(
                    injectionContext,
                    0,
                    metadata.compartmentId(),
                    (int) values.get(InboundIpPacketField.INTERFACE_INDEX).integer(),
                    (int) values.get(InboundIpPacketField.SUB_INTERFACE_INDEX).integer(),
                    clone,
                    freeClone,
                    null);
            if (wfp.injection(status) != NtStatus.STATUS_SUCCESS) {
                wfp.freeClone(clone);
            }
        };
    }

    /**
     * Steps 1 and 5 of the classify: act only with the write right and a packet; PERMIT what this injector injected
     * (SELF or PREVIOUSLY_SELF), otherwise take the packet: BLOCK + ABSORB, write right cleared.
     */
    private boolean takes(InjectionHandle handle, @Nullable NetBufferList nbl, ClassifyOut out) {
        if (!out.hasWriteRight() || nbl == null) {
            return false;
        }
        long[] context = new long[1];
        InjectionState state = handle.queryPacketInjectionState(nbl, context);
        states.add(state);
        if (state == InjectionState.INJECTED_BY_SELF || state == InjectionState.PREVIOUSLY_INJECTED_BY_SELF) {
            contextsSeen.add(context[0]);
            out.setActionType(ActionType.PERMIT);
            return false;
        }
        out.setActionType(ActionType.BLOCK);
        out.absorb();
        out.clearWriteRight();
        return true;
    }
}
