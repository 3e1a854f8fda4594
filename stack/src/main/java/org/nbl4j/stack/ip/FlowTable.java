package org.nbl4j.stack.ip;

import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The host role's flows by 5-tuple (tcpip.sys's endpoint and ALE flow state, wfp-callouts-and-injection §4.9): a
 * chained hash table whose lookup compares the key fields in place, so finding the flow of a packet allocates nothing.
 * A new flow allocates its {@link Flow} once. One lock guards the table: lookups from the two directions' receive
 * threads are short and rarely contend.
 *
 * <p>A second chained index finds a flow by its handle (the FLOW_HANDLE, TRANSPORT_ENDPOINT_HANDLE and
 * COMPLETION_HANDLE metadata a callout passes back to the flow-context, pending and transport send injection DDIs),
 * also in constant time and without allocating: handles are consecutive, so the low bits of a handle spread the flows
 * evenly over its buckets.
 *
 * <p>Flows end when their time is up ({@link #expire}): a TCP flow some time after FIN in both directions or a RST, any
 * flow after an idle time (UDP and ICMP have no close), or when aborted or when the table is emptied. Each ended flow
 * is handed once to the {@code ended} consumer, under the lock, which the IP path turns into
 * {@link PacketHook#flowEnded}.
 */
public final class FlowTable {
    private @Nullable Flow[] buckets = new Flow[64];
    /** The same flows chained by handle ({@link Flow#nextByHandle}); always as long as {@link #buckets}. */
    private @Nullable Flow[] byHandle = new Flow[64];

    private int count;
    private long lastHandle;

    /** The flow of a 5-tuple, or null. Allocates nothing. */
    synchronized @Nullable Flow lookup(
            AddressFamily family,
            int protocol,
            long localHigh,
            long localLow,
            long remoteHigh,
            long remoteLow,
            int localPort,
            int remotePort) {
        int hash = hash(protocol, localHigh, localLow, remoteHigh, remoteLow, localPort, remotePort);
        for (Flow flow = buckets[hash & (buckets.length - 1)]; flow != null; flow = flow.next) {
            if (flow.matches(family, protocol, localHigh, localLow, remoteHigh, remoteLow, localPort, remotePort)) {
                return flow;
            }
        }
        return null;
    }

    /** Adds a new flow for a 5-tuple that has none, with the next handle. */
    synchronized Flow add(
            AddressFamily family,
            int protocol,
            long localHigh,
            long localLow,
            long remoteHigh,
            long remoteLow,
            int localPort,
            int remotePort,
            boolean outbound) {
        if (count >= buckets.length - (buckets.length >>> 2)) {
            grow();
        }
        Flow flow = new Flow(
                ++lastHandle,
                family,
                protocol,
                localHigh,
                localLow,
                remoteHigh,
                remoteLow,
                localPort,
                remotePort,
                outbound);
        int index = hash(protocol, localHigh, localLow, remoteHigh, remoteLow, localPort, remotePort)
                & (buckets.length - 1);
        flow.next = buckets[index];
        buckets[index] = flow;
        linkByHandle(flow);
        count++;
        return flow;
    }

    /**
     * The open flow with a handle, or null (a flow that ended is not found, although its handle is never reused).
     * Allocates nothing: transport send injection looks its endpoint up here for every packet.
     */
    public synchronized @Nullable Flow byHandle(long handle) {
        for (Flow flow = byHandle[handleIndex(handle)]; flow != null; flow = flow.nextByHandle) {
            if (flow.handle() == handle) {
                return flow;
            }
        }
        return null;
    }

    /** How many flows are open. */
    public synchronized int size() {
        return count;
    }

    /**
     * Ends every flow whose close deadline has passed or that has been idle longer than its idle time at
     * {@code nowNanos}, handing each to {@code ended}.
     */
    synchronized void expire(long nowNanos, long idleNanos, long tcpIdleNanos, Consumer<Flow> ended) {
        removeIf(
                flow -> (flow.closeDeadline != 0 && nowNanos - flow.closeDeadline >= 0)
                        || nowNanos - flow.lastSeenNanos
                                >= (flow.protocol == IcmpMessages.IPPROTO_TCP ? tcpIdleNanos : idleNanos),
                ended);
    }

    /**
     * Ends one flow now ({@code FwpsFlowAbort0}).
     *
     * @return whether the flow was open
     */
    synchronized boolean end(Flow target, Consumer<Flow> ended) {
        int before = count;
        removeIf(flow -> flow == target, ended);
        return count < before;
    }

    /** Ends every flow (the stack is closing, or a replay reached its end). */
    synchronized void endAll(Consumer<Flow> ended) {
        removeIf(flow -> true, ended);
    }

    private void removeIf(Predicate<Flow> ends, Consumer<Flow> ended) {
        for (int i = 0; i < buckets.length; i++) {
            Flow previous = null;
            Flow flow = buckets[i];
            while (flow != null) {
                Flow next = flow.next;
                if (ends.test(flow)) {
                    if (previous == null) {
                        buckets[i] = next;
                    } else {
                        previous.next = next;
                    }
                    flow.next = null;
                    unlinkByHandle(flow);
                    count--;
                    ended.accept(flow);
                } else {
                    previous = flow;
                }
                flow = next;
            }
        }
    }

    private void linkByHandle(Flow flow) {
        int index = handleIndex(flow.handle());
        flow.nextByHandle = byHandle[index];
        byHandle[index] = flow;
    }

    private void unlinkByHandle(Flow target) {
        int index = handleIndex(target.handle());
        Flow previous = null;
        for (Flow flow = byHandle[index]; flow != null; previous = flow, flow = flow.nextByHandle) {
            if (flow == target) {
                if (previous == null) {
                    byHandle[index] = flow.nextByHandle;
                } else {
                    previous.nextByHandle = flow.nextByHandle;
                }
                flow.nextByHandle = null;
                return;
            }
        }
    }

    private int handleIndex(long handle) {
        return (int) handle & (byHandle.length - 1);
    }

    private void grow() {
        Flow[] old = buckets;
        buckets = new Flow[old.length * 2];
        byHandle = new Flow[buckets.length];
        for (Flow head : old) {
            Flow flow = head;
            while (flow != null) {
                Flow next = flow.next;
                int index = hash(
                                flow.protocol,
                                flow.localHigh,
                                flow.localLow,
                                flow.remoteHigh,
                                flow.remoteLow,
                                flow.localPort,
                                flow.remotePort)
                        & (buckets.length - 1);
                flow.next = buckets[index];
                buckets[index] = flow;
                linkByHandle(flow);
                flow = next;
            }
        }
    }

    private static int hash(
            int protocol,
            long localHigh,
            long localLow,
            long remoteHigh,
            long remoteLow,
            int localPort,
            int remotePort) {
        long h = localLow * 0x9E3779B97F4A7C15L;
        h = (h ^ remoteLow) * 0x9E3779B97F4A7C15L;
        h = (h ^ localHigh ^ (remoteHigh << 1)) * 0x9E3779B97F4A7C15L;
        h = (h ^ ((long) localPort << 16 | remotePort) ^ ((long) protocol << 40)) * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
