package org.nbl4j.stack.ndis;

import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * What NDIS offers a miniport above it: {@code NdisMIndicateReceiveNetBufferLists} and
 * {@code NdisMSendNetBufferListsComplete}, and the {@link Ndis} instance whose pools the miniport allocates from.
 * The edge itself is the {@code MiniportAdapterHandle}: a miniport sets it as the SourceHandle of every NBL it
 * indicates (ndis-buffers §6.5).
 */
public interface MiniportEdge {

    /** The buffer model the adapter's pools come from. */
    Ndis ndis();

    /**
     * {@code NdisMIndicateReceiveNetBufferLists}. With {@code NDIS_RECEIVE_FLAGS_RESOURCES} clear the NBLs come
     * back through {@link Miniport#returnNetBufferLists}; with it set, ownership returns when this call returns.
     */
    void indicateReceiveNetBufferLists(
            NetBufferList chain, int portNumber, int numberOfNetBufferLists, int receiveFlags);

    /** {@code NdisMSendNetBufferListsComplete}: hands sent NBLs back up, each with its Status set. */
    void sendNetBufferListsComplete(NetBufferList chain, int sendCompleteFlags);

    /** {@code NdisMOidRequestComplete}: completes a request the miniport pended, exactly once. */
    void oidRequestComplete(OidRequest request, int status);

    /** {@code NdisMIndicateStatusEx}: a status (link state) goes up through the filters to the protocol. */
    void indicateStatus(StatusIndication indication);
}
