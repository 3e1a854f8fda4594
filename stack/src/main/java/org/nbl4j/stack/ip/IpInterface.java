package org.nbl4j.stack.ip;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.internal.StripedCounters;
import org.nbl4j.stack.ndis.LinkState;
import org.nbl4j.stack.ndis.OffloadCapabilities;
import org.nbl4j.stack.ndis.ProtocolBinding;

/**
 * An IP interface ({@code MIB_IPINTERFACE_ROW}, identified by its {@code IF_INDEX}): the IP layer's view of one
 * adapter binding, with its addresses, MTU, forwarding and weak-host switches, compartment and packet counters.
 * Configuration changes publish new arrays (copy-on-write); the data path reads them without locks.
 */
public final class IpInterface {
    static final int IN_PACKETS = 0;
    static final int IN_BYTES = 1;
    static final int OUT_PACKETS = 2;
    static final int OUT_BYTES = 3;

    private final int interfaceIndex;
    private final ProtocolBinding binding;
    private final Compartment compartment;
    private volatile boolean forwarding;
    private volatile boolean weakHostReceive;
    private volatile boolean weakHostSend;
    private volatile InterfaceAddress[] addresses = new InterfaceAddress[0];
    /** What the last link-state indication from below said; connected until one says otherwise. */
    private volatile LinkState mediaConnectState = LinkState.CONNECTED;
    /** Per receive-queue thread: two queues count the same interface's packets without sharing a cache line. */
    private final StripedCounters counters = new StripedCounters(4);

    IpInterface(int interfaceIndex, ProtocolBinding binding, Compartment compartment) {
        this.interfaceIndex = interfaceIndex;
        this.binding = binding;
        this.compartment = compartment;
    }

    /** {@code IF_INDEX}. */
    public int interfaceIndex() {
        return interfaceIndex;
    }

    /** The binding to the adapter below: how the interface sends and returns received NBLs. */
    public ProtocolBinding binding() {
        return binding;
    }

    public Compartment compartment() {
        return compartment;
    }

    /** The task offloads of the interface's adapter. */
    public OffloadCapabilities offloadCapabilities() {
        return binding.offloadCapabilities();
    }

    /** The IP MTU: the adapter's ({@code NlMtu} follows the link; nbl4j has no per-interface override). */
    public int mtu() {
        return binding.mtu();
    }

    /**
     * {@code MediaConnectState} as the stack last heard it from below: an {@code NDIS_STATUS_LINK_STATE} indication
     * that came up through the adapter's filters ({@link IpStack#status}); connected until one arrives.
     */
    public LinkState mediaConnectState() {
        return mediaConnectState;
    }

    void setMediaConnectState(LinkState state) {
        this.mediaConnectState = state;
    }

    /** Whether packets that arrive here and are not for this host are forwarded ({@code ForwardingEnabled}). */
    public boolean forwarding() {
        return forwarding;
    }

    public void setForwarding(boolean forwarding) {
        this.forwarding = forwarding;
    }

    /**
     * Whether packets that arrive here for an address of another interface are accepted ({@code WeakHostReceive});
     * off by default, the strong host model. A forwarding interface accepts them either way ({@link HostModel}).
     */
    public boolean weakHostReceive() {
        return weakHostReceive;
    }

    public void setWeakHostReceive(boolean weakHostReceive) {
        this.weakHostReceive = weakHostReceive;
    }

    /**
     * Whether packets this host sends from an address of another interface may leave here ({@code WeakHostSend});
     * off by default, the strong host model. A forwarding interface sends them either way ({@link HostModel}).
     */
    public boolean weakHostSend() {
        return weakHostSend;
    }

    public void setWeakHostSend(boolean weakHostSend) {
        this.weakHostSend = weakHostSend;
    }

    /** The assigned unicast addresses. */
    public List<InterfaceAddress> addresses() {
        return List.of(addresses);
    }

    synchronized void addAddress(InterfaceAddress address) {
        InterfaceAddress[] more = Arrays.copyOf(addresses, addresses.length + 1);
        more[addresses.length] = address;
        addresses = more;
    }

    /** The first address of the family, the source of what this interface originates; null if none. */
    @Nullable
    InterfaceAddress firstAddress(AddressFamily family) {
        for (InterfaceAddress address : addresses) {
            if (address.family() == family) {
                return address;
            }
        }
        return null;
    }

    void countIn(int bytes) {
        StripedCounters.Cell cell = counters.cell();
        cell.add(IN_PACKETS, 1);
        cell.add(IN_BYTES, bytes);
    }

    void countOut(int bytes) {
        StripedCounters.Cell cell = counters.cell();
        cell.add(OUT_PACKETS, 1);
        cell.add(OUT_BYTES, bytes);
    }

    /** The interface's counters now. */
    public InterfaceStatistics statistics() {
        return new InterfaceStatistics(
                interfaceIndex,
                counters.sum(IN_PACKETS),
                counters.sum(IN_BYTES),
                counters.sum(OUT_PACKETS),
                counters.sum(OUT_BYTES));
    }

    @Override
    public String toString() {
        return "IpInterface[" + interfaceIndex + ", " + binding.adapterName() + "]";
    }
}
