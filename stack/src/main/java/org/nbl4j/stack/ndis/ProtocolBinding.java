package org.nbl4j.stack.ndis;

import org.nbl4j.core.buffer.NetBufferList;

/**
 * A protocol's binding to one adapter, the {@code NdisBindingHandle}: how the protocol sends down through the
 * adapter's filter stack and returns the NBLs that were indicated to it.
 */
public interface ProtocolBinding {

    /** The adapter's name. */
    String adapterName();

    /** The adapter's MTU as the filters above the miniport leave it. */
    int mtu();

    /**
     * The task offloads of the adapter's miniport, as the binding reports them to the protocol
     * ({@code NDIS_BIND_PARAMETERS.DefaultOffloadConfiguration}); none unless the binding says otherwise.
     */
    default OffloadCapabilities offloadCapabilities() {
        return OffloadCapabilities.NONE;
    }

    /**
     * Whether NDIS leaves receive segment coalescing on for the adapter (it turns it off for filters that cannot take
     * coalesced packets); a protocol then takes coalesced indications as they are.
     */
    default boolean receiveSegmentCoalescing() {
        return true;
    }

    /** How many receive queues the adapter has. */
    int receiveQueueCount();

    /**
     * {@code NdisSendNetBufferLists}: the protocol gives up the chain until
     * {@link Protocol#sendNetBufferListsComplete} hands each NBL back, exactly once.
     */
    void sendNetBufferLists(NetBufferList chain, int portNumber, int sendFlags);

    /** {@code NdisReturnNetBufferLists}: returns NBLs indicated with RESOURCES clear to their miniport. */
    void returnNetBufferLists(NetBufferList chain, int returnFlags);

    /**
     * {@code NdisOidRequest}: sends {@code request} down through the filters to the miniport. Returns its status, or
     * {@code NDIS_STATUS_PENDING}, in which case {@link Protocol#oidRequestComplete} reports the status exactly once.
     */
    int oidRequest(OidRequest request);

    /** {@code NdisCancelOidRequest}: asks the drivers below to abort the pended request carrying {@code requestId}. */
    void cancelOidRequest(Object requestId);
}
