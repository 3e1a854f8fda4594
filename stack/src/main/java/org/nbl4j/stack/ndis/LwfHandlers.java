package org.nbl4j.stack.ndis;

import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;

/**
 * One filter module: the {@code FilterModuleContext} a {@link LwfDriver} creates at attach, with the handlers of
 * {@code NDIS_FILTER_DRIVER_CHARACTERISTICS} (ndis-buffers §6.1). Every handler has a pass-through default, so a
 * filter overrides only what it changes, as the ndislwf sample does.
 *
 * <p>Each handler gets the module's {@link LwfHandle}; NDIS calls the data handlers at DISPATCH_LEVEL or below (the
 * {@code *_DISPATCH_LEVEL} flag says which) and the PnP handlers at PASSIVE_LEVEL. A filter that sends or indicates
 * NBLs of its own must take them out of chains that come back to it and must never pass them on (§6.3, §6.4).
 */
public interface LwfHandlers {

    /**
     * {@code FilterSendNetBufferLists}: NBLs from above. The default passes them down, or completes them with
     * {@code NDIS_STATUS_PAUSED} when the module is not Running (§6.9).
     */
    default void sendNetBufferLists(LwfHandle handle, NetBufferList chain, int portNumber, int sendFlags) {
        if (handle.state() == LwfModuleState.RUNNING) {
            handle.sendNetBufferLists(chain, portNumber, sendFlags);
            return;
        }
        for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
            nbl.setStatus(NtStatus.NDIS_STATUS_PAUSED);
        }
        handle.sendNetBufferListsComplete(
                chain,
                (sendFlags & NdisFlags.NDIS_SEND_FLAGS_DISPATCH_LEVEL) != 0
                        ? NdisFlags.NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL
                        : 0);
    }

    /** {@code FilterSendNetBufferListsComplete}: sends finished below. The default passes them up. */
    default void sendNetBufferListsComplete(LwfHandle handle, NetBufferList chain, int sendCompleteFlags) {
        handle.sendNetBufferListsComplete(chain, sendCompleteFlags);
    }

    /** {@code FilterReceiveNetBufferLists}: NBLs from below. The default indicates them up unchanged. */
    default void receiveNetBufferLists(
            LwfHandle handle, NetBufferList chain, int portNumber, int numberOfNetBufferLists, int receiveFlags) {
        handle.indicateReceiveNetBufferLists(chain, portNumber, numberOfNetBufferLists, receiveFlags);
    }

    /** {@code FilterReturnNetBufferLists}: indicated NBLs come back from above. The default returns them down. */
    default void returnNetBufferLists(LwfHandle handle, NetBufferList chain, int returnFlags) {
        handle.returnNetBufferLists(chain, returnFlags);
    }

    /**
     * {@code FilterCancelSendNetBufferLists}: a filter that queues sends completes the queued ones carrying
     * {@code cancelId} with {@code NDIS_STATUS_SEND_ABORTED} (§6.7). The default forwards the cancel down.
     */
    default void cancelSendNetBufferLists(LwfHandle handle, long cancelId) {
        handle.cancelSendNetBufferLists(cancelId);
    }

    /**
     * {@code FilterSetModuleOptions}: called while Paused, before each restart; the place to choose bypass mode with
     * {@link LwfHandle#setOptionalHandlers}. The default keeps every handler.
     */
    default int setModuleOptions(LwfHandle handle) {
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /**
     * {@code FilterRestart} (PASSIVE_LEVEL): returns SUCCESS, a failure (the module stays Paused), or
     * {@code NDIS_STATUS_PENDING} and later calls {@link LwfHandle#restartComplete}.
     */
    default int restart(LwfHandle handle) {
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /**
     * {@code FilterPause} (PASSIVE_LEVEL, cannot fail): completes queued sends with PAUSED and returns queued
     * receives, then returns SUCCESS, or {@code NDIS_STATUS_PENDING} while own sends or indications are outstanding and
     * calls {@link LwfHandle#pauseComplete} exactly once when they are all back.
     */
    default int pause(LwfHandle handle) {
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /**
     * {@code FilterOidRequest}: an OID request from above. Returns its status, or {@code NDIS_STATUS_PENDING} and later
     * calls {@link LwfHandle#oidRequestComplete} once. The default passes it down.
     */
    default int oidRequest(LwfHandle handle, OidRequest request) {
        return handle.oidRequest(request);
    }

    /**
     * {@code FilterOidRequestComplete}: a request the module passed down and got PENDING for has completed. The default
     * completes it upward.
     */
    default void oidRequestComplete(LwfHandle handle, OidRequest request, int status) {
        handle.oidRequestComplete(request, status);
    }

    /** {@code FilterCancelOidRequest}: the default forwards the cancel down. */
    default void cancelOidRequest(LwfHandle handle, Object requestId) {
        handle.cancelOidRequest(requestId);
    }

    /** {@code FilterStatus}: a status indication from below. The default passes it up. */
    default void status(LwfHandle handle, StatusIndication indication) {
        handle.indicateStatus(indication);
    }

    /** {@code FilterDetach} (PASSIVE_LEVEL, cannot fail): frees what attach allocated, such as the module's pools. */
    default void detach(LwfHandle handle) {}
}
