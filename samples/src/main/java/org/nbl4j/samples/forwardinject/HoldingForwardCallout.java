package org.nbl4j.samples.forwardinject;

import static org.nbl4j.stack.ddk.Fwpsk.*;
import static org.nbl4j.stack.ddk.Wdm.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.wfp.InjectionHandle;

/**
 * The pattern seed 000 warns against: a callout that clones each forwarded packet and holds the clone while it waits
 * for something slow (a user-mode verdict, say) before injecting it unmodified. It uses
 * {@code FwpsAllocateCloneNetBufferList0}, as such inspection callouts do, or {@code FwpsAllocateDeepCloneNetBufferList0}
 * ({@link #deepCloning()}); the verifier's held-clone watchdog, on its own timer, reports each clone held past its
 * budget as {@code CLONE_HELD_TOO_LONG}, naming this class's cloning line. {@link #InjectHeld} plays the late verdict.
 */
public final class HoldingForwardCallout extends ForwardCalloutDriver {

    /** A clone waiting for its verdict, with what its injection needs. */
    private record Held(NetBufferList cloneNbl, int addressFamily, int compartmentId, int interfaceIndex) {}

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final boolean deepClones;

    /** The callout that holds shallow clones ({@code FwpsAllocateCloneNetBufferList0}). */
    public HoldingForwardCallout() {
        this(false);
    }

    private HoldingForwardCallout(boolean deepClones) {
        super(0);
        this.deepClones = deepClones;
    }

    /** The callout that holds deep clones ({@code FwpsAllocateDeepCloneNetBufferList0}, seed 000). */
    public static HoldingForwardCallout deepCloning() {
        return new HoldingForwardCallout(true);
    }

    @Override
    protected boolean TakePacket(
            InjectionHandle injectionHandle,
            NetBufferList netBufferList,
            int addressFamily,
            int compartmentId,
            int interfaceIndex) {
        Ref<NetBufferList> clonedNetBufferList = new Ref<>();
        int status = deepClones
                ? FwpsAllocateDeepCloneNetBufferList0(netBufferList, null, null, clonedNetBufferList)
                : FwpsAllocateCloneNetBufferList0(netBufferList, null, null, 0, clonedNetBufferList);
        NetBufferList clone = clonedNetBufferList.value();
        if (!NT_SUCCESS(status) || clone == null) {
            return false;
        }
        synchronized (held) {
            held.add(new Held(clone, addressFamily, compartmentId, interfaceIndex));
        }
        return true;
    }

    /** The clones held now, oldest first. */
    public List<NetBufferList> heldClones() {
        synchronized (held) {
            List<NetBufferList> clones = new ArrayList<>();
            held.forEach(entry -> clones.add(entry.cloneNbl()));
            return clones;
        }
    }

    /**
     * The late verdict: injects every held clone.
     *
     * @return how many were accepted for injection
     */
    public int InjectHeld() {
        InjectionHandle injectionHandle = gInjectionHandle;
        if (injectionHandle == null) {
            throw new IllegalStateException("the driver is not loaded");
        }
        int accepted = 0;
        while (true) {
            Held next;
            synchronized (held) {
                next = held.poll();
            }
            if (next == null) {
                return accepted;
            }
            int status = InjectClone(
                    injectionHandle,
                    next.cloneNbl(),
                    next.addressFamily(),
                    next.compartmentId(),
                    next.interfaceIndex());
            if (NT_SUCCESS(status)) {
                accepted++;
            }
        }
    }
}
