package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code NDIS_FILTER_DRIVER_CHARACTERISTICS}: what a filter driver's {@code DriverEntry} fills in, field by field, and
 * passes to {@code NdisFRegisterFilterDriver}. NDIS keeps a copy: changing the structure afterwards changes nothing.
 *
 * <p>{@code AttachHandler}, {@code DetachHandler}, {@code RestartHandler} and {@code PauseHandler} are required. Every
 * other handler may be {@code NULL}: NDIS then passes that operation through on the module's behalf, and a module with
 * neither send handler (or neither receive handler) is left out of that path altogether, as on Windows.
 */
public final class NDIS_FILTER_DRIVER_CHARACTERISTICS {
    /** {@code Header}: {@code NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS}, a revision, its size. */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code MajorNdisVersion}: 6. */
    public int MajorNdisVersion;
    /** {@code MinorNdisVersion}. */
    public int MinorNdisVersion;
    /** {@code MajorDriverVersion}. */
    public int MajorDriverVersion;
    /** {@code MinorDriverVersion}. */
    public int MinorDriverVersion;
    /** {@code Flags}. */
    public int Flags;
    /** {@code FriendlyName}: what the modules are called ({@code NDIS_STRING}). */
    public @Nullable String FriendlyName;
    /** {@code UniqueName}: the filter's GUID as a string. */
    public @Nullable String UniqueName;
    /** {@code ServiceName}: the service whose parameters {@code NdisOpenConfigurationEx} reads. */
    public @Nullable String ServiceName;
    /** {@code SetOptionsHandler}. */
    public @Nullable FILTER_SET_OPTIONS SetOptionsHandler;
    /** {@code SetFilterModuleOptionsHandler}. */
    public @Nullable FILTER_SET_MODULE_OPTIONS SetFilterModuleOptionsHandler;
    /** {@code AttachHandler} (required). */
    public @Nullable FILTER_ATTACH AttachHandler;
    /** {@code DetachHandler} (required). */
    public @Nullable FILTER_DETACH DetachHandler;
    /** {@code RestartHandler} (required). */
    public @Nullable FILTER_RESTART RestartHandler;
    /** {@code PauseHandler} (required). */
    public @Nullable FILTER_PAUSE PauseHandler;
    /** {@code SendNetBufferListsHandler}. */
    public @Nullable FILTER_SEND_NET_BUFFER_LISTS SendNetBufferListsHandler;
    /** {@code SendNetBufferListsCompleteHandler}. */
    public @Nullable FILTER_SEND_NET_BUFFER_LISTS_COMPLETE SendNetBufferListsCompleteHandler;
    /** {@code CancelSendNetBufferListsHandler}. */
    public @Nullable FILTER_CANCEL_SEND_NET_BUFFER_LISTS CancelSendNetBufferListsHandler;
    /** {@code ReceiveNetBufferListsHandler}. */
    public @Nullable FILTER_RECEIVE_NET_BUFFER_LISTS ReceiveNetBufferListsHandler;
    /** {@code ReturnNetBufferListsHandler}. */
    public @Nullable FILTER_RETURN_NET_BUFFER_LISTS ReturnNetBufferListsHandler;
    /** {@code OidRequestHandler}. */
    public @Nullable FILTER_OID_REQUEST OidRequestHandler;
    /** {@code OidRequestCompleteHandler}. */
    public @Nullable FILTER_OID_REQUEST_COMPLETE OidRequestCompleteHandler;
    /** {@code CancelOidRequestHandler}. */
    public @Nullable FILTER_CANCEL_OID_REQUEST CancelOidRequestHandler;
    /** {@code DevicePnPEventNotifyHandler}. */
    public @Nullable FILTER_DEVICE_PNP_EVENT_NOTIFY DevicePnPEventNotifyHandler;
    /** {@code NetPnPEventHandler}. */
    public @Nullable FILTER_NET_PNP_EVENT NetPnPEventHandler;
    /** {@code StatusHandler}. */
    public @Nullable FILTER_STATUS StatusHandler;

    /** The copy NDIS keeps at registration. */
    NDIS_FILTER_DRIVER_CHARACTERISTICS copy() {
        NDIS_FILTER_DRIVER_CHARACTERISTICS copy = new NDIS_FILTER_DRIVER_CHARACTERISTICS();
        copy.Header.Type = Header.Type;
        copy.Header.Revision = Header.Revision;
        copy.Header.Size = Header.Size;
        copy.MajorNdisVersion = MajorNdisVersion;
        copy.MinorNdisVersion = MinorNdisVersion;
        copy.MajorDriverVersion = MajorDriverVersion;
        copy.MinorDriverVersion = MinorDriverVersion;
        copy.Flags = Flags;
        copy.FriendlyName = FriendlyName;
        copy.UniqueName = UniqueName;
        copy.ServiceName = ServiceName;
        copy.SetOptionsHandler = SetOptionsHandler;
        copy.SetFilterModuleOptionsHandler = SetFilterModuleOptionsHandler;
        copy.AttachHandler = AttachHandler;
        copy.DetachHandler = DetachHandler;
        copy.RestartHandler = RestartHandler;
        copy.PauseHandler = PauseHandler;
        copy.SendNetBufferListsHandler = SendNetBufferListsHandler;
        copy.SendNetBufferListsCompleteHandler = SendNetBufferListsCompleteHandler;
        copy.CancelSendNetBufferListsHandler = CancelSendNetBufferListsHandler;
        copy.ReceiveNetBufferListsHandler = ReceiveNetBufferListsHandler;
        copy.ReturnNetBufferListsHandler = ReturnNetBufferListsHandler;
        copy.OidRequestHandler = OidRequestHandler;
        copy.OidRequestCompleteHandler = OidRequestCompleteHandler;
        copy.CancelOidRequestHandler = CancelOidRequestHandler;
        copy.DevicePnPEventNotifyHandler = DevicePnPEventNotifyHandler;
        copy.NetPnPEventHandler = NetPnPEventHandler;
        copy.StatusHandler = StatusHandler;
        return copy;
    }
}
