package org.nbl4j.stack.wfp;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.OwnerState;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.PacketCompletion;
import org.nbl4j.stack.ip.PacketInjection;

/**
 * A stand-in for the IP path's injection entry points: takes every injected NBL and completes it at once (inside the
 * inject call) or when the test says. It can refuse injections, and can show network injections to a callback before
 * completing them (the re-classification of §3.11). The lead's end-to-end tests replace it with the real IpStack.
 */
final class TestPacketInjection implements PacketInjection {
    enum Kind {
        FORWARD,
        NETWORK_SEND,
        NETWORK_RECEIVE
    }

    record Injected(
            Kind kind,
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            int interfaceIndex,
            int subInterfaceIndex,
            PacketCompletion completion) {}

    private final boolean completeAtOnce;
    private final boolean recording;
    private final List<Injected> held = new ArrayList<>();
    private final List<Injected> seen = new ArrayList<>();
    private int refusal = NtStatus.STATUS_SUCCESS;
    private @Nullable Consumer<Injected> onNetworkInjection;

    private TestPacketInjection(boolean completeAtOnce, boolean recording) {
        this.completeAtOnce = completeAtOnce;
        this.recording = recording;
    }

    /** Completes every NBL with STATUS_SUCCESS inside the inject call, recording what it saw. */
    static TestPacketInjection immediate() {
        return new TestPacketInjection(true, true);
    }

    /** Completes inside the inject call and records nothing: allocation-free. */
    static TestPacketInjection silent() {
        return new TestPacketInjection(true, false);
    }

    /** Holds every NBL until {@link #completeAll}. */
    static TestPacketInjection held() {
        return new TestPacketInjection(false, true);
    }

    /** Refuse the next injections with {@code status} (STATUS_SUCCESS takes them again). */
    void refuseWith(int status) {
        refusal = status;
    }

    /** Shows each network injection to {@code callback} before it completes (or is held). */
    void onNetworkInjection(Consumer<Injected> callback) {
        onNetworkInjection = callback;
    }

    List<Injected> seen() {
        return seen;
    }

    int heldCount() {
        return held.size();
    }

    /** Completes every held NBL with {@code status}, in order. */
    void completeAll(int status) {
        List<Injected> now = new ArrayList<>(held);
        held.clear();
        for (Injected injected : now) {
            injected.nbl().setStatus(status);
            injected.completion().complete(injected.nbl(), Irql.current() == Irql.DISPATCH_LEVEL);
        }
    }

    @Override
    public int injectForward(
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            int interfaceIndex,
            PacketCompletion completion) {
        return take(Kind.FORWARD, nbl, family, compartmentId, interfaceIndex, 0, completion);
    }

    @Override
    public int injectNetworkSend(
            NetBufferList nbl, AddressFamily family, int compartmentId, PacketCompletion completion) {
        return take(Kind.NETWORK_SEND, nbl, family, compartmentId, 0, 0, completion);
    }

    @Override
    public int injectNetworkReceive(
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            int interfaceIndex,
            int subInterfaceIndex,
            PacketCompletion completion) {
        return take(Kind.NETWORK_RECEIVE, nbl, family, compartmentId, interfaceIndex, subInterfaceIndex, completion);
    }

    private int take(
            Kind kind,
            NetBufferList nbl,
            AddressFamily family,
            int compartmentId,
            int interfaceIndex,
            int subInterfaceIndex,
            PacketCompletion completion) {
        if (refusal != NtStatus.STATUS_SUCCESS) {
            return refusal;
        }
        // The path works on the packet now: it holds it as its owner until it completes it.
        nbl.handOff(OwnerState.OWNED, this);
        if (!recording) {
            nbl.setStatus(NtStatus.STATUS_SUCCESS);
            completion.complete(nbl, Irql.current() == Irql.DISPATCH_LEVEL);
            return NtStatus.STATUS_SUCCESS;
        }
        Injected injected =
                new Injected(kind, nbl, family, compartmentId, interfaceIndex, subInterfaceIndex, completion);
        seen.add(injected);
        Consumer<Injected> callback = onNetworkInjection;
        if (callback != null && kind != Kind.FORWARD) {
            callback.accept(injected);
        }
        if (completeAtOnce) {
            nbl.setStatus(NtStatus.STATUS_SUCCESS);
            completion.complete(nbl, Irql.current() == Irql.DISPATCH_LEVEL);
        } else {
            held.add(injected);
        }
        return NtStatus.STATUS_SUCCESS;
    }
}
