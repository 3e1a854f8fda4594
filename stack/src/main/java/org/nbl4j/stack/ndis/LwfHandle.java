package org.nbl4j.stack.ndis;

import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * What NDIS offers one filter module, the {@code NdisFilterHandle} passed to {@code FilterAttach}: the
 * {@code NdisF*} functions of ndis-buffers §6.1. NBLs the module originates carry this handle as their
 * {@code SourceHandle} (§6.5); it is also the module's identity in pending-NBL reports.
 */
public interface LwfHandle {

    /** The buffer model the module allocates its pools from. */
    Ndis ndis();

    /** The module's name: the filter's name and the adapter's. */
    String name();

    /** The module's state (§6.9). */
    LwfModuleState state();

    /** The adapter's interface index ({@code NDIS_FILTER_ATTACH_PARAMETERS.BaseMiniportIfIndex}). */
    int interfaceIndex();

    /** The MTU of the miniport below. */
    int mtu();

    /** The adapter's name ({@code NDIS_FILTER_ATTACH_PARAMETERS.BaseMiniportName}). */
    String adapterName();

    /** The medium of the miniport below ({@code MiniportMediaType}). */
    NdisMedium medium();

    /** The miniport's link state ({@code MediaConnectState}). */
    LinkState linkState();

    /** The miniport's link speed in bit/s ({@code XmitLinkSpeed}, {@code RcvLinkSpeed}). */
    long linkSpeed();

    /**
     * {@code NdisFSendNetBufferLists}: passes NBLs down. NBLs whose {@code SourceHandle} is this handle are the
     * module's own sends, allowed only while Running; they come back to its send-complete handler.
     */
    void sendNetBufferLists(NetBufferList chain, int portNumber, int sendFlags);

    /**
     * {@code NdisFSendNetBufferListsComplete}: hands NBLs that came from above back up, each with its Status. The
     * module's own NBLs must never be in the chain.
     */
    void sendNetBufferListsComplete(NetBufferList chain, int sendCompleteFlags);

    /**
     * {@code NdisFIndicateReceiveNetBufferLists}: passes NBLs up. The module's own indications (its handle as
     * {@code SourceHandle}) are allowed only while Running; with RESOURCES clear they come back to its return handler.
     */
    void indicateReceiveNetBufferLists(
            NetBufferList chain, int portNumber, int numberOfNetBufferLists, int receiveFlags);

    /**
     * {@code NdisFReturnNetBufferLists}: returns NBLs that came from below and were indicated with RESOURCES clear.
     * The module's own NBLs must never be in the chain.
     */
    void returnNetBufferLists(NetBufferList chain, int returnFlags);

    /** {@code NdisFCancelSendNetBufferLists}: asks the drivers below to abort the queued sends carrying the id. */
    void cancelSendNetBufferLists(long cancelId);

    /** {@code NdisFPauseComplete}: ends a pause that {@code FilterPause} left PENDING; exactly once. */
    void pauseComplete();

    /** {@code NdisFRestartComplete}: ends a restart that {@code FilterRestart} left PENDING. */
    void restartComplete(int status);

    /**
     * {@code NdisSetOptionalHandlers} from {@code FilterSetModuleOptions}: whether NDIS calls the module's send and
     * send-complete handlers, and its receive and return handlers; a bypassed direction skips the module and the
     * module may not originate in it (§6.1). Only while the module is not Running.
     */
    void setOptionalHandlers(boolean sendHandlers, boolean receiveHandlers);

    /** The module's own sends (NBLs it originated) not yet back in its send-complete handler, counted per NBL. */
    long outstandingSends();

    /** The module's own indications made with RESOURCES clear not yet back in its return handler. */
    long outstandingIndications();

    /**
     * {@code NdisFOidRequest}: passes {@code request} down to the next module or the miniport. Returns its status, or
     * {@code NDIS_STATUS_PENDING}, in which case the module's {@link LwfHandlers#oidRequestComplete} gets the status
     * exactly once. Windows wants a filter to pass down a clone of the request it was given; nbl4j also routes the
     * request itself.
     */
    int oidRequest(OidRequest request);

    /**
     * {@code NdisFOidRequestComplete}: completes a request that came from above and that the module's
     * {@link LwfHandlers#oidRequest} returned PENDING for; exactly once.
     */
    void oidRequestComplete(OidRequest request, int status);

    /** {@code NdisFCancelOidRequest}: asks the drivers below to abort the request carrying {@code requestId}. */
    void cancelOidRequest(Object requestId);

    /** {@code NdisFIndicateStatus}: passes a status indication up to the next module or the protocol. */
    void indicateStatus(StatusIndication indication);

    /**
     * {@code NdisFRestartFilter}: pauses and restarts the module's stack, so that NDIS calls the module's
     * {@code FilterSetModuleOptions} and {@code FilterRestart} again. Windows schedules it; nbl4j does it before it
     * returns when called at PASSIVE_LEVEL (from a thread that is not one of the adapter's queue threads), and on a
     * thread of its own when called above PASSIVE_LEVEL.
     *
     * @return {@code NDIS_STATUS_SUCCESS}, or the status the restart failed with
     */
    int restartFilter();
}
