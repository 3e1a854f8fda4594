package org.nbl4j.stack.ip;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;

/**
 * Where the IP path meets the {@link PacketHook}: the points at which tcpip.sys calls the filter engine
 * (INBOUND_IPPACKET, IPFORWARD, OUTBOUND_IPPACKET and their discard twins). It adds the path facts of the frame's
 * {@link PacketFacts} to the header facts the parser left there, acts on the hook's verdicts and shows every drop at the
 * discard twin, counting it.
 * Every part of the path shares one, so that a hook set with {@link IpStack#setPacketHook} is seen by all of them.
 */
final class PathInspection {
    private final IpCounters counters;
    private volatile PacketHook hook = PacketHook.NONE;

    PathInspection(IpCounters counters) {
        this.counters = counters;
    }

    /** The hook packets are shown to. */
    PacketHook hook() {
        return hook;
    }

    void setHook(PacketHook hook) {
        this.hook = hook;
    }

    /** Sets the path facts of a received packet that every hook point shares: its compartment and arrival. */
    static void fillFacts(PathScratch.Frame frame, IpInterface arrival, int subInterface) {
        frame.facts.showArrived(arrival.compartment().id(), arrival.interfaceIndex(), subInterface);
    }

    /** Counts a drop, sets an injected packet's completion status, and shows the packet at the discard twin. */
    void discard(
            HookPoint point,
            NetBufferList nbl,
            PathScratch.Frame frame,
            @Nullable IpInterface arrival,
            int subInterface,
            IpDiscardReason reason) {
        counters.discard(reason);
        if (NblHolds.role(nbl) == NblRole.INJECTED) {
            nbl.setStatus(statusOf(reason));
        }
        if (arrival != null) {
            fillFacts(frame, arrival, subInterface);
        } else {
            // A packet this host sends arrived on no interface; its header facts, the family among them, still hold.
            frame.facts.clearPath();
        }
        frame.facts.setDiscardReason(reason);
        hook.discarded(point, nbl, frame.facts);
    }

    /** The completion status of an injected packet dropped for {@code reason}. */
    private static int statusOf(IpDiscardReason reason) {
        return switch (reason) {
            case HOP_LIMIT_EXCEEDED -> NtStatus.STATUS_HOPLIMIT_EXCEEDED;
            case DONT_FRAGMENT_MTU_EXCEEDED -> NtStatus.STATUS_INVALID_BUFFER_SIZE;
            case NO_ROUTE -> NtStatus.STATUS_NOT_FOUND;
            case ALLOCATION_FAILURE -> NtStatus.STATUS_INSUFFICIENT_RESOURCES;
            default -> NtStatus.STATUS_UNSUCCESSFUL;
        };
    }

    /**
     * Shows a packet at {@code point} with the frame's facts and acts on the verdict ({@link #continues}).
     *
     * @return whether the packet continues
     */
    boolean classify(HookPoint point, NetBufferList nbl, PathScratch.Frame frame) {
        return continues(hook.classify(point, nbl, frame.facts), point, nbl, frame);
    }

    /** Acts on a verdict: BLOCK is a discard shown at the twin (INSPECTION_DROP), ABSORB is silent. */
    boolean continues(HookVerdict verdict, HookPoint point, NetBufferList nbl, PathScratch.Frame frame) {
        switch (verdict) {
            case CONTINUE -> {
                return true;
            }
            case BLOCK -> {
                counters.discard(IpDiscardReason.INSPECTION_DROP);
                if (NblHolds.role(nbl) == NblRole.INJECTED) {
                    nbl.setStatus(NtStatus.STATUS_UNSUCCESSFUL);
                }
                frame.facts.setDiscardReason(IpDiscardReason.INSPECTION_DROP);
                hook.discarded(point, nbl, frame.facts);
                return false;
            }
            case ABSORB -> {
                counters.count(IpCounters.INSPECTION_ABSORBED);
                return false;
            }
        }
        return false;
    }
}
