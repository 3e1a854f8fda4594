package org.nbl4j.stack.ndis;

import org.nbl4j.core.buffer.NetBufferList;

/**
 * The driver bound at the top of an adapter's stack, the IP layer here: {@code ProtocolReceiveNetBufferLists} and
 * {@code ProtocolSendNetBufferListsComplete}.
 */
public interface Protocol {

    /**
     * {@code ProtocolReceiveNetBufferLists}. With {@code NDIS_RECEIVE_FLAGS_RESOURCES} clear the protocol owns the
     * NBLs until it returns them through {@link ProtocolBinding#returnNetBufferLists}; with it set it must copy what
     * it keeps before returning.
     */
    void receiveNetBufferLists(
            ProtocolBinding binding, NetBufferList chain, int portNumber, int numberOfNetBufferLists, int receiveFlags);

    /** {@code ProtocolSendNetBufferListsComplete}: NBLs the protocol sent come back, each with its Status. */
    void sendNetBufferListsComplete(ProtocolBinding binding, NetBufferList chain, int sendCompleteFlags);

    /** {@code ProtocolOidRequestComplete}: an OID request the binding returned PENDING for has completed. */
    default void oidRequestComplete(ProtocolBinding binding, OidRequest request, int status) {}

    /** {@code ProtocolStatusEx}: a status indication (link state) reached the top of the stack. */
    default void status(ProtocolBinding binding, StatusIndication indication) {}
}
