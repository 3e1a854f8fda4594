package org.nbl4j.stack.ndis;

import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;

/**
 * A network device at the bottom of an adapter's stack: the handlers a miniport driver registers with NDIS
 * ({@code MiniportSendNetBufferLists}, {@code MiniportReturnNetBufferLists}, {@code MiniportHaltEx}) plus the two
 * a user-space device needs in place of interrupts and DPCs.
 *
 * <p>The medium is IP: every NBL carries one raw IPv4 or IPv6 packet, starting at the IP header. Each receive queue
 * is served by one thread of the adapter, the emulated DPC of one processor: it calls {@link #awaitWork} (the
 * interrupt) and then {@link #serviceQueue}, in which the miniport indicates what it received and completes the
 * sends that finished, both through the {@link MiniportEdge} it was initialized with.
 */
public interface Miniport extends AutoCloseable {

    /** The device's name, for example the TUN interface name. */
    String name();

    /** The largest IP packet the device sends or receives, in bytes. */
    int mtu();

    /** How many receive queues the device has (RSS queues); at least 1. */
    int receiveQueueCount();

    /** The link state the device reports (NDIS_STATUS_LINK_STATE). */
    LinkState linkState();

    /** Counters of what the device has done so far (OID_GEN_STATISTICS). */
    MiniportStatistics statistics();

    /**
     * The medium the device reports ({@code NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES.MediaType}): raw IP, reported as
     * {@link NdisMedium#WIRELESS_WAN} as Windows' mobile-broadband miniports do.
     */
    default NdisMedium medium() {
        return NdisMedium.WIRELESS_WAN;
    }

    /** The link speed in bit/s ({@code XmitLinkSpeed} and {@code RcvLinkSpeed}); 10 Gbit/s unless the device knows. */
    default long linkSpeed() {
        return 10_000_000_000L;
    }

    /**
     * {@code MiniportOidRequest}: answers {@code request} and returns its status, or returns
     * {@code NDIS_STATUS_PENDING} and later completes it, exactly once, through
     * {@link MiniportEdge#oidRequestComplete}. The default supports no OID.
     */
    default int oidRequest(OidRequest request) {
        return NtStatus.NDIS_STATUS_NOT_SUPPORTED;
    }

    /**
     * {@code MiniportCancelOidRequest}: completes the pended request carrying {@code requestId}, if it still holds one,
     * with {@code NDIS_STATUS_REQUEST_ABORTED}. The default holds none.
     */
    default void cancelOidRequest(Object requestId) {}

    /** {@code MiniportInitializeEx}: NDIS hands the miniport the edge it indicates and completes through. */
    void initialize(MiniportEdge edge);

    /**
     * {@code MiniportSendNetBufferLists}: takes ownership of the chain until it completes it through
     * {@link MiniportEdge#sendNetBufferListsComplete}, with each NBL's Status set, exactly once.
     */
    void sendNetBufferLists(NetBufferList chain, int portNumber, int sendFlags);

    /** {@code MiniportReturnNetBufferLists}: NBLs the miniport indicated come back to it. */
    void returnNetBufferLists(NetBufferList chain, int returnFlags);

    /**
     * The DPC of one receive queue, called on that queue's thread at DISPATCH_LEVEL: indicates at most
     * {@code budget} received NBLs and completes the sends that have finished.
     *
     * @return how many NBLs it indicated or completed; 0 when it had nothing to do
     */
    int serviceQueue(int queue, int budget);

    /**
     * The interrupt: blocks the queue's thread until {@link #serviceQueue} may have work for {@code queue}, or the
     * timeout passes. Returning early without work is allowed.
     */
    void awaitWork(int queue, long timeoutNanos) throws InterruptedException;

    /** {@code MiniportHaltEx}: releases the device. Every indicated NBL must have been returned first. */
    @Override
    void close();
}
