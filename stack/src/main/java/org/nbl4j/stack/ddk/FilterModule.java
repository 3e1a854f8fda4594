package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ndis.FilterDrivers;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.LwfHandlers;
import org.nbl4j.stack.ndis.OidRequest;
import org.nbl4j.stack.ndis.StatusIndication;

/**
 * One module of a filter driver registered through {@code NdisFRegisterFilterDriver}: the stack's {@link LwfHandlers}
 * translated into calls of the driver's C handlers, each given the module context the driver set with
 * {@code NdisFSetAttributes}. A {@code NULL} handler falls back to the pass-through NDIS does on the driver's behalf.
 */
final class FilterModule implements LwfHandlers {
    private final NDIS_FILTER_DRIVER_CHARACTERISTICS characteristics;
    final FilterDrivers.Registration registration;
    /** The {@code FilterModuleContext}; written by {@code NdisFSetAttributes} during {@code FilterAttach}. */
    @Nullable
    Object context;

    boolean attributesSet;

    FilterModule(NDIS_FILTER_DRIVER_CHARACTERISTICS characteristics, FilterDrivers.Registration registration) {
        this.characteristics = characteristics;
        this.registration = registration;
    }

    @Override
    public void sendNetBufferLists(LwfHandle handle, NetBufferList chain, int portNumber, int sendFlags) {
        FILTER_SEND_NET_BUFFER_LISTS handler = characteristics.SendNetBufferListsHandler;
        if (handler == null) {
            LwfHandlers.super.sendNetBufferLists(handle, chain, portNumber, sendFlags);
        } else {
            handler.filterSendNetBufferLists(context, chain, portNumber, sendFlags);
        }
    }

    @Override
    public void sendNetBufferListsComplete(LwfHandle handle, NetBufferList chain, int sendCompleteFlags) {
        FILTER_SEND_NET_BUFFER_LISTS_COMPLETE handler = characteristics.SendNetBufferListsCompleteHandler;
        if (handler == null) {
            LwfHandlers.super.sendNetBufferListsComplete(handle, chain, sendCompleteFlags);
        } else {
            handler.filterSendNetBufferListsComplete(context, chain, sendCompleteFlags);
        }
    }

    @Override
    public void receiveNetBufferLists(
            LwfHandle handle, NetBufferList chain, int portNumber, int numberOfNetBufferLists, int receiveFlags) {
        FILTER_RECEIVE_NET_BUFFER_LISTS handler = characteristics.ReceiveNetBufferListsHandler;
        if (handler == null) {
            LwfHandlers.super.receiveNetBufferLists(handle, chain, portNumber, numberOfNetBufferLists, receiveFlags);
        } else {
            handler.filterReceiveNetBufferLists(context, chain, portNumber, numberOfNetBufferLists, receiveFlags);
        }
    }

    @Override
    public void returnNetBufferLists(LwfHandle handle, NetBufferList chain, int returnFlags) {
        FILTER_RETURN_NET_BUFFER_LISTS handler = characteristics.ReturnNetBufferListsHandler;
        if (handler == null) {
            LwfHandlers.super.returnNetBufferLists(handle, chain, returnFlags);
        } else {
            handler.filterReturnNetBufferLists(context, chain, returnFlags);
        }
    }

    @Override
    public void cancelSendNetBufferLists(LwfHandle handle, long cancelId) {
        FILTER_CANCEL_SEND_NET_BUFFER_LISTS handler = characteristics.CancelSendNetBufferListsHandler;
        if (handler == null) {
            LwfHandlers.super.cancelSendNetBufferLists(handle, cancelId);
        } else {
            handler.filterCancelSendNetBufferLists(context, cancelId);
        }
    }

    @Override
    public int setModuleOptions(LwfHandle handle) {
        FILTER_SET_MODULE_OPTIONS handler = characteristics.SetFilterModuleOptionsHandler;
        return handler == null ? NtStatus.NDIS_STATUS_SUCCESS : handler.filterSetModuleOptions(context);
    }

    @Override
    public int restart(LwfHandle handle) {
        NDIS_FILTER_RESTART_PARAMETERS parameters = new NDIS_FILTER_RESTART_PARAMETERS();
        parameters.Header.Type = NdisLwf.NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS;
        parameters.Header.Revision = NdisLwf.NDIS_FILTER_RESTART_PARAMETERS_REVISION_1;
        parameters.MiniportMediaType = handle.medium().value();
        parameters.MiniportPhysicalMediaType = NdisLwf.NdisPhysicalMediumUnspecified;
        parameters.LowerIfIndex = handle.interfaceIndex();
        parameters.HigherIfIndex = handle.interfaceIndex();
        return required(characteristics.RestartHandler).filterRestart(context, parameters);
    }

    @Override
    public int pause(LwfHandle handle) {
        NDIS_FILTER_PAUSE_PARAMETERS parameters = new NDIS_FILTER_PAUSE_PARAMETERS();
        parameters.Header.Type = NdisLwf.NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS;
        parameters.Header.Revision = NdisLwf.NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1;
        return required(characteristics.PauseHandler).filterPause(context, parameters);
    }

    @Override
    public void detach(LwfHandle handle) {
        try {
            required(characteristics.DetachHandler).filterDetach(context);
        } finally {
            NdisLwf.forget(handle);
        }
    }

    @Override
    public int oidRequest(LwfHandle handle, OidRequest request) {
        FILTER_OID_REQUEST handler = characteristics.OidRequestHandler;
        return handler == null
                ? LwfHandlers.super.oidRequest(handle, request)
                : handler.filterOidRequest(context, facadeRequest(request));
    }

    @Override
    public void oidRequestComplete(LwfHandle handle, OidRequest request, int status) {
        FILTER_OID_REQUEST_COMPLETE handler = characteristics.OidRequestCompleteHandler;
        if (handler == null) {
            LwfHandlers.super.oidRequestComplete(handle, request, status);
        } else {
            handler.filterOidRequestComplete(context, facadeRequest(request), status);
        }
    }

    @Override
    public void cancelOidRequest(LwfHandle handle, Object requestId) {
        FILTER_CANCEL_OID_REQUEST handler = characteristics.CancelOidRequestHandler;
        if (handler == null) {
            LwfHandlers.super.cancelOidRequest(handle, requestId);
        } else {
            handler.filterCancelOidRequest(context, requestId);
        }
    }

    @Override
    public void status(LwfHandle handle, StatusIndication indication) {
        FILTER_STATUS handler = characteristics.StatusHandler;
        if (handler == null) {
            LwfHandlers.super.status(handle, indication);
        } else {
            handler.filterStatus(context, NDIS_STATUS_INDICATION.of(indication));
        }
    }

    /** A C handler sees requests as the structure drivers fill in; the protocol above must issue them as one. */
    private static NDIS_OID_REQUEST facadeRequest(OidRequest request) {
        if (request instanceof NDIS_OID_REQUEST structure) {
            return structure;
        }
        throw new IllegalArgumentException("a filter registered with NdisFRegisterFilterDriver gets NDIS_OID_REQUEST"
                + " structures; issue the request as one: " + request);
    }

    /** NdisFRegisterFilterDriver refused characteristics without the required handlers, so this never fails. */
    private static <T> T required(@Nullable T handler) {
        if (handler == null) {
            throw new IllegalStateException("a required filter handler is NULL");
        }
        return handler;
    }
}
