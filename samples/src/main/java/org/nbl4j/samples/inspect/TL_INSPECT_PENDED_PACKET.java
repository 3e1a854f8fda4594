package org.nbl4j.samples.inspect;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.wfp.PendedOperation;

/**
 * inspect's {@code TL_INSPECT_PENDED_PACKET} (inspect.h): one item of work for the worker thread, a pended connection
 * or a data packet, with what the classify function saved to decide on it and to reinject it. The C structure sits in
 * a {@code LIST_ENTRY} list; here it sits in a Java list under the same spin lock.
 */
final class TL_INSPECT_PENDED_PACKET {
    /** {@code TL_INSPECT_CONNECT_PACKET}: a pended ALE authorization. */
    static final int TL_INSPECT_CONNECT_PACKET = 0;
    /** {@code TL_INSPECT_DATA_PACKET}: a packet taken at a transport layer. */
    static final int TL_INSPECT_DATA_PACKET = 1;

    int type;
    /** {@code FWP_DIRECTION_OUTBOUND} or {@code FWP_DIRECTION_INBOUND}. */
    int direction;

    int addressFamily;
    /** IPv4 addresses in host order, as the incoming values give them. */
    int localAddressV4;

    int remoteAddressV4;
    int localPort;
    int remotePort;
    int protocol;
    int compartmentId;

    /** Outbound: the metadata's transport endpoint handle and remote scope id, for FwpsInjectTransportSendAsync0. */
    long endpointHandle;

    int remoteScopeId;

    /** Inbound: where the packet arrived, for FwpsInjectTransportReceiveAsync0. */
    int interfaceIndex;

    int subInterfaceIndex;

    /**
     * The clone to reinject: outbound it starts at the transport header, inbound at the IP header. NULL for a pended
     * TCP connect (ALE_AUTH_CONNECT shows it without a packet).
     */
    @Nullable
    NetBufferList netBufferList;

    /** {@code completionContext} from FwpsPendOperation0, NULL once completed. */
    @Nullable
    PendedOperation completionContext;

    /** {@code authConnectDecision}: 0 until the worker decides, then FWP_ACTION_PERMIT or FWP_ACTION_BLOCK. */
    int authConnectDecision;
}
