package org.nbl4j.samples.ndislwf;

import static org.nbl4j.stack.ddk.NdisH.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.NdisH.NDIS_RETURN_FLAGS_DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.NdisH.NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.NdisH.NDIS_SEND_FLAGS_DISPATCH_LEVEL;
import static org.nbl4j.stack.ddk.NdisH.NDIS_STATUS_FAILURE;
import static org.nbl4j.stack.ddk.NdisH.NDIS_STATUS_INVALID_PARAMETER;
import static org.nbl4j.stack.ddk.NdisH.NDIS_STATUS_PAUSED;
import static org.nbl4j.stack.ddk.NdisH.NDIS_STATUS_PENDING;
import static org.nbl4j.stack.ddk.NdisH.NDIS_STATUS_RESOURCES;
import static org.nbl4j.stack.ddk.NdisH.NDIS_STATUS_SUCCESS;
import static org.nbl4j.stack.ddk.NdisH.NDIS_TEST_RECEIVE_CAN_PEND;
import static org.nbl4j.stack.ddk.NdisH.NET_BUFFER_LIST_NEXT_NBL;
import static org.nbl4j.stack.ddk.NdisH.NET_BUFFER_LIST_STATUS;
import static org.nbl4j.stack.ddk.NdisH.NdisAllocateMemoryWithTagPriority;
import static org.nbl4j.stack.ddk.NdisH.NdisFCancelSendNetBufferLists;
import static org.nbl4j.stack.ddk.NdisH.NdisFIndicateReceiveNetBufferLists;
import static org.nbl4j.stack.ddk.NdisH.NdisFReturnNetBufferLists;
import static org.nbl4j.stack.ddk.NdisH.NdisFSendNetBufferLists;
import static org.nbl4j.stack.ddk.NdisH.NdisFSendNetBufferListsComplete;
import static org.nbl4j.stack.ddk.NdisH.NdisFreeMemoryWithTagPriority;
import static org.nbl4j.stack.ddk.NdisKernel.NdisAcquireSpinLock;
import static org.nbl4j.stack.ddk.NdisKernel.NdisAllocateSpinLock;
import static org.nbl4j.stack.ddk.NdisKernel.NdisFreeSpinLock;
import static org.nbl4j.stack.ddk.NdisKernel.NdisReleaseSpinLock;
import static org.nbl4j.stack.ddk.NdisLwf.NDIS_FILTER_ATTRIBUTES_REVISION_1;
import static org.nbl4j.stack.ddk.NdisLwf.NDIS_FILTER_CHARACTERISTICS_REVISION_2;
import static org.nbl4j.stack.ddk.NdisLwf.NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
import static org.nbl4j.stack.ddk.NdisLwf.NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
import static org.nbl4j.stack.ddk.NdisLwf.NDIS_STATUS_LINK_STATE;
import static org.nbl4j.stack.ddk.NdisLwf.NdisAllocateCloneOidRequest;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFCancelOidRequest;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFDeregisterFilterDriver;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFIndicateStatus;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFOidRequest;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFOidRequestComplete;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFRegisterFilterDriver;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFRestartFilter;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFSetAttributes;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFreeCloneOidRequest;
import static org.nbl4j.stack.ddk.NdisLwf.NdisMedium802_3;
import static org.nbl4j.stack.ddk.NdisLwf.NdisMediumWirelessWan;
import static org.nbl4j.stack.ddk.NdisLwf.NdisRequestMethod;
import static org.nbl4j.stack.ddk.NdisLwf.NdisRequestQueryInformation;
import static org.nbl4j.stack.ddk.NdisLwf.NdisRequestQueryStatistics;
import static org.nbl4j.stack.ddk.NdisLwf.NdisRequestSetInformation;
import static org.nbl4j.stack.ddk.Wdm.LowPoolPriority;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.stack.ddk.CLiteral;
import org.nbl4j.stack.ddk.NDIS_FILTER_ATTACH_PARAMETERS;
import org.nbl4j.stack.ddk.NDIS_FILTER_ATTRIBUTES;
import org.nbl4j.stack.ddk.NDIS_FILTER_DRIVER_CHARACTERISTICS;
import org.nbl4j.stack.ddk.NDIS_FILTER_PAUSE_PARAMETERS;
import org.nbl4j.stack.ddk.NDIS_FILTER_RESTART_PARAMETERS;
import org.nbl4j.stack.ddk.NDIS_LINK_STATE;
import org.nbl4j.stack.ddk.NDIS_OID_REQUEST;
import org.nbl4j.stack.ddk.NDIS_SPIN_LOCK;
import org.nbl4j.stack.ddk.NDIS_STATUS_INDICATION;
import org.nbl4j.stack.ddk.Ref;

/**
 * The sample filter driver: {@code DriverEntry}, {@code DriverUnload} and the filter handlers of Microsoft's
 * {@code ndis/filter} sample, ported to the facade in our own words. One object is one load of the driver image: its
 * fields are the C sample's globals, so loading again (a new object) starts with zeroed globals as a new image does.
 *
 * <p>What it does with traffic: counts each module's sends and receives and the ones still outstanding, passes every
 * NBL on, and completes sends from above with {@code NDIS_STATUS_PAUSED} while paused. OIDs from above go down as
 * clones ({@code NdisAllocateCloneOidRequest}, the original kept in {@code SourceReserved}) and complete up with the
 * clone's byte counts; the handler always returns PENDING, completing itself when the request below did not pend.
 * Link-state indications are counted and passed up.
 */
public final class NdisLwfDriver {
    /** The name the modules are known by ({@code FILTER_FRIENDLY_NAME}). */
    public static final String FILTER_FRIENDLY_NAME = "NDIS Sample LightWeight Filter";
    /** {@code FILTER_SERVICE_NAME}. */
    public static final String FILTER_SERVICE_NAME = "NDISLWF";
    /** {@code FILTER_ALLOC_TAG}: module contexts and OID clones, {@code FILT} in poolmon. */
    public static final int FILTER_ALLOC_TAG = CLiteral.tag("FILT");

    private static final String FILTER_UNIQUE_NAME = "{5cbf81bd-5055-47cd-9055-a76b2b4e3697}";
    private static final int FILTER_MAJOR_NDIS_VERSION = 6;
    private static final int FILTER_MINOR_NDIS_VERSION = 30;

    // ---- the C sample's globals ----

    /** {@code FilterDriverHandle}: written by {@code NdisFRegisterFilterDriver}. */
    final Ref<Object> FilterDriverHandle = new Ref<>();
    /** {@code FilterDriverObject}. */
    @Nullable
    Object FilterDriverObject;
    /** {@code FilterListLock}. */
    final NDIS_SPIN_LOCK FilterListLock = new NDIS_SPIN_LOCK();
    /** {@code FilterModuleList}: every attached module, guarded by {@link #FilterListLock}. */
    final List<MS_FILTER> FilterModuleList = new ArrayList<>();
    /** Whether {@code FilterRegisterOptions} saw the driver handle already written, as NDIS promises. */
    boolean HandleWrittenBeforeSetOptions;

    /**
     * {@code DriverEntry}: fills in the characteristics field by field and registers the filter.
     *
     * @param DriverObject names the NDIS instance the filter registers with (its {@code Ndis}, or {@code null} for the
     *     thread's)
     * @param RegistryPath the service key, unused as in the sample
     */
    public int DriverEntry(@Nullable Object DriverObject, String RegistryPath) {
        FilterDriverObject = DriverObject;
        NdisAllocateSpinLock(FilterListLock);

        NDIS_FILTER_DRIVER_CHARACTERISTICS FChars = new NDIS_FILTER_DRIVER_CHARACTERISTICS();
        FChars.Header.Type = NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
        // C sets Header.Size = sizeof(NDIS_FILTER_DRIVER_CHARACTERISTICS); Java has no sizeof, and NDIS here checks the
        // type and the NDIS version, not the size.
        FChars.Header.Revision = NDIS_FILTER_CHARACTERISTICS_REVISION_2;
        FChars.MajorNdisVersion = FILTER_MAJOR_NDIS_VERSION;
        FChars.MinorNdisVersion = FILTER_MINOR_NDIS_VERSION;
        FChars.MajorDriverVersion = 1;
        FChars.MinorDriverVersion = 0;
        FChars.Flags = 0;

        FChars.FriendlyName = FILTER_FRIENDLY_NAME;
        FChars.UniqueName = FILTER_UNIQUE_NAME;
        FChars.ServiceName = FILTER_SERVICE_NAME;

        FChars.SetOptionsHandler = this::FilterRegisterOptions;
        FChars.AttachHandler = this::FilterAttach;
        FChars.DetachHandler = this::FilterDetach;
        FChars.RestartHandler = this::FilterRestart;
        FChars.PauseHandler = this::FilterPause;
        FChars.SetFilterModuleOptionsHandler = this::FilterSetModuleOptions;
        FChars.OidRequestHandler = this::FilterOidRequest;
        FChars.OidRequestCompleteHandler = this::FilterOidRequestComplete;
        FChars.CancelOidRequestHandler = this::FilterCancelOidRequest;

        FChars.SendNetBufferListsHandler = this::FilterSendNetBufferLists;
        FChars.ReturnNetBufferListsHandler = this::FilterReturnNetBufferLists;
        FChars.SendNetBufferListsCompleteHandler = this::FilterSendNetBufferListsComplete;
        FChars.ReceiveNetBufferListsHandler = this::FilterReceiveNetBufferLists;
        FChars.DevicePnPEventNotifyHandler = this::FilterDevicePnPEventNotify;
        FChars.NetPnPEventHandler = this::FilterNetPnPEvent;
        FChars.StatusHandler = this::FilterStatus;
        FChars.CancelSendNetBufferListsHandler = this::FilterCancelSendNetBufferLists;

        return NdisFRegisterFilterDriver(DriverObject, FilterDriverObject, FChars, FilterDriverHandle);
    }

    /** {@code FilterUnload}: deregisters, which detaches every module before it returns. */
    public void DriverUnload() {
        Object handle = FilterDriverHandle.value();
        if (handle == null) {
            return;
        }
        NdisFDeregisterFilterDriver(handle);
        FilterDriverHandle.set(null);
        NdisAcquireSpinLock(FilterListLock);
        try {
            if (!FilterModuleList.isEmpty()) {
                throw new IllegalStateException("modules left after NdisFDeregisterFilterDriver: " + FilterModuleList);
            }
        } finally {
            NdisReleaseSpinLock(FilterListLock);
        }
        NdisFreeSpinLock(FilterListLock);
    }

    // ---- what the sample's device controls do, called directly until nbl4j has device objects ----

    /** {@code IOCTL_FILTER_ENUERATE_ALL_INSTANCES}: every module, with its counters. */
    public List<FilterModuleInfo> FilterEnumerateAllInstances() {
        List<FilterModuleInfo> modules = new ArrayList<>();
        NdisAcquireSpinLock(FilterListLock);
        try {
            for (MS_FILTER pFilter : FilterModuleList) {
                modules.add(new FilterModuleInfo(
                        pFilter.FilterModuleName,
                        pFilter.MiniportName,
                        pFilter.State == MS_FILTER.FilterRunning,
                        pFilter.SendsSeen.get(),
                        pFilter.ReceivesSeen.get(),
                        pFilter.ReceivesWithResources.get(),
                        pFilter.OutstandingSends.get(),
                        pFilter.OutstandingReceives.get(),
                        pFilter.Restarts.get(),
                        pFilter.OidRequests.get(),
                        pFilter.LinkStateIndications.get(),
                        pFilter.LastMediaConnectState));
            }
        } finally {
            NdisReleaseSpinLock(FilterListLock);
        }
        return modules;
    }

    /**
     * {@code IOCTL_FILTER_RESTART_ONE_INSTANCE}: asks NDIS to restart the module named {@code FilterModuleName}.
     *
     * @return {@code NDIS_STATUS_SUCCESS}, or {@code NDIS_STATUS_FAILURE} when no module has that name
     */
    public int FilterRestartOneInstance(String FilterModuleName) {
        Object handle = null;
        NdisAcquireSpinLock(FilterListLock);
        try {
            for (MS_FILTER pFilter : FilterModuleList) {
                if (pFilter.FilterModuleName.equals(FilterModuleName)) {
                    handle = pFilter.FilterHandle;
                    break;
                }
            }
        } finally {
            NdisReleaseSpinLock(FilterListLock);
        }
        // Outside the lock: the restart pauses the stack, which calls FilterPause, which must not wait on it.
        return handle == null ? NDIS_STATUS_FAILURE : NdisFRestartFilter(handle);
    }

    // ---- registration and module lifetime ----

    int FilterRegisterOptions(Object NdisFilterDriverHandle, @Nullable Object FilterDriverContext) {
        HandleWrittenBeforeSetOptions =
                NdisFilterDriverHandle == FilterDriverHandle.value() && FilterDriverContext == FilterDriverObject;
        return NDIS_STATUS_SUCCESS;
    }

    int FilterAttach(
            Object NdisFilterHandle,
            @Nullable Object FilterDriverContext,
            NDIS_FILTER_ATTACH_PARAMETERS AttachParameters) {
        // Written for Ethernet and WAN: a raw-IP adapter reports NdisMediumWirelessWan (docs/ndis-adapter.md).
        if (AttachParameters.MiniportMediaType != NdisMedium802_3
                && AttachParameters.MiniportMediaType != NdisMediumWirelessWan) {
            return NDIS_STATUS_INVALID_PARAMETER;
        }
        MemoryBlock ContextMemory = NdisAllocateMemoryWithTagPriority(
                NdisFilterHandle, MS_FILTER.SIZEOF, FILTER_ALLOC_TAG, LowPoolPriority);
        if (ContextMemory == null) {
            return NDIS_STATUS_RESOURCES;
        }
        MS_FILTER pFilter = new MS_FILTER(
                NdisFilterHandle,
                AttachParameters.FilterModuleGuidName,
                AttachParameters.BaseMiniportName,
                AttachParameters.BaseMiniportIfIndex);
        pFilter.ContextMemory = ContextMemory;
        NdisAllocateSpinLock(pFilter.Lock);

        NDIS_FILTER_ATTRIBUTES FilterAttributes = new NDIS_FILTER_ATTRIBUTES();
        FilterAttributes.Header.Revision = NDIS_FILTER_ATTRIBUTES_REVISION_1;
        FilterAttributes.Header.Size = 8; // sizeof(NDIS_FILTER_ATTRIBUTES): the header and a ULONG
        FilterAttributes.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
        FilterAttributes.Flags = 0;
        int Status = NdisFSetAttributes(NdisFilterHandle, pFilter, FilterAttributes);
        if (Status != NDIS_STATUS_SUCCESS) {
            NdisFreeMemoryWithTagPriority(NdisFilterHandle, ContextMemory, FILTER_ALLOC_TAG);
            return Status;
        }
        pFilter.State = MS_FILTER.FilterPaused;

        NdisAcquireSpinLock(FilterListLock);
        try {
            FilterModuleList.add(pFilter);
        } finally {
            NdisReleaseSpinLock(FilterListLock);
        }
        return NDIS_STATUS_SUCCESS;
    }

    void FilterDetach(@Nullable Object FilterModuleContext) {
        MS_FILTER pFilter = filter(FilterModuleContext);
        pFilter.State = MS_FILTER.FilterDetaching;
        NdisAcquireSpinLock(FilterListLock);
        try {
            FilterModuleList.remove(pFilter);
        } finally {
            NdisReleaseSpinLock(FilterListLock);
        }
        NdisFreeSpinLock(pFilter.Lock);
        MemoryBlock ContextMemory = pFilter.ContextMemory;
        if (ContextMemory != null) {
            NdisFreeMemoryWithTagPriority(pFilter.FilterHandle, ContextMemory, FILTER_ALLOC_TAG);
            pFilter.ContextMemory = null;
        }
    }

    int FilterRestart(@Nullable Object FilterModuleContext, NDIS_FILTER_RESTART_PARAMETERS RestartParameters) {
        MS_FILTER pFilter = filter(FilterModuleContext);
        pFilter.Restarts.incrementAndGet();
        pFilter.State = MS_FILTER.FilterRunning;
        return NDIS_STATUS_SUCCESS;
    }

    int FilterPause(@Nullable Object FilterModuleContext, NDIS_FILTER_PAUSE_PARAMETERS PauseParameters) {
        MS_FILTER pFilter = filter(FilterModuleContext);
        pFilter.State = MS_FILTER.FilterPausing;
        // The filter originates nothing, so nothing of its own is outstanding: the pause completes at once.
        pFilter.State = MS_FILTER.FilterPaused;
        return NDIS_STATUS_SUCCESS;
    }

    int FilterSetModuleOptions(@Nullable Object FilterModuleContext) {
        return NDIS_STATUS_SUCCESS;
    }

    int FilterNetPnPEvent(@Nullable Object FilterModuleContext, Object NetPnPEventNotification) {
        return NDIS_STATUS_SUCCESS;
    }

    void FilterDevicePnPEventNotify(@Nullable Object FilterModuleContext, Object NetDevicePnPEvent) {}

    // ---- OIDs ----

    int FilterOidRequest(@Nullable Object FilterModuleContext, NDIS_OID_REQUEST Request) {
        MS_FILTER pFilter = filter(FilterModuleContext);
        pFilter.OidRequests.incrementAndGet();
        Ref<NDIS_OID_REQUEST> ClonedRequestRef = new Ref<>();
        int Status = NdisAllocateCloneOidRequest(pFilter.FilterHandle, Request, FILTER_ALLOC_TAG, ClonedRequestRef);
        NDIS_OID_REQUEST ClonedRequest = ClonedRequestRef.value();
        if (Status != NDIS_STATUS_SUCCESS || ClonedRequest == null) {
            return Status;
        }
        ClonedRequest.SourceReserved[0] = Request;
        NdisAcquireSpinLock(pFilter.Lock);
        try {
            pFilter.PendingOidRequests.add(ClonedRequest);
        } finally {
            NdisReleaseSpinLock(pFilter.Lock);
        }

        Status = NdisFOidRequest(pFilter.FilterHandle, ClonedRequest);
        if (Status != NDIS_STATUS_PENDING) {
            FilterOidRequestComplete(pFilter, ClonedRequest, Status);
            // The original completes through NdisFOidRequestComplete above, so it pends as far as NDIS is concerned.
            Status = NDIS_STATUS_PENDING;
        }
        return Status;
    }

    void FilterCancelOidRequest(@Nullable Object FilterModuleContext, Object RequestId) {
        MS_FILTER pFilter = filter(FilterModuleContext);
        boolean forward = false;
        NdisAcquireSpinLock(pFilter.Lock);
        try {
            for (NDIS_OID_REQUEST ClonedRequest : pFilter.PendingOidRequests) {
                if (ClonedRequest.SourceReserved[0] instanceof NDIS_OID_REQUEST OriginalRequest
                        && RequestId.equals(OriginalRequest.RequestId)) {
                    forward = true;
                    break;
                }
            }
        } finally {
            NdisReleaseSpinLock(pFilter.Lock);
        }
        if (forward) {
            NdisFCancelOidRequest(pFilter.FilterHandle, RequestId);
        }
    }

    void FilterOidRequestComplete(@Nullable Object FilterModuleContext, NDIS_OID_REQUEST Request, int Status) {
        MS_FILTER pFilter = filter(FilterModuleContext);
        if (!(Request.SourceReserved[0] instanceof NDIS_OID_REQUEST OriginalRequest)) {
            throw new IllegalStateException("a completed OID request is not one of this filter's clones: " + Request);
        }
        NdisAcquireSpinLock(pFilter.Lock);
        try {
            pFilter.PendingOidRequests.remove(Request);
        } finally {
            NdisReleaseSpinLock(pFilter.Lock);
        }

        // Copy what the drivers below wrote back into the original, as the sample does.
        switch (Request.RequestType) {
            case NdisRequestMethod -> {
                OriginalRequest.DATA.METHOD_INFORMATION.OutputBufferLength(
                        Request.DATA.METHOD_INFORMATION.OutputBufferLength());
                OriginalRequest.DATA.METHOD_INFORMATION.BytesRead(Request.DATA.METHOD_INFORMATION.BytesRead());
                OriginalRequest.DATA.METHOD_INFORMATION.BytesNeeded(Request.DATA.METHOD_INFORMATION.BytesNeeded());
                OriginalRequest.DATA.METHOD_INFORMATION.BytesWritten(Request.DATA.METHOD_INFORMATION.BytesWritten());
            }
            case NdisRequestSetInformation -> {
                OriginalRequest.DATA.SET_INFORMATION.BytesRead(Request.DATA.SET_INFORMATION.BytesRead());
                OriginalRequest.DATA.SET_INFORMATION.BytesNeeded(Request.DATA.SET_INFORMATION.BytesNeeded());
            }
            case NdisRequestQueryInformation, NdisRequestQueryStatistics -> {
                OriginalRequest.DATA.QUERY_INFORMATION.BytesWritten(Request.DATA.QUERY_INFORMATION.BytesWritten());
                OriginalRequest.DATA.QUERY_INFORMATION.BytesNeeded(Request.DATA.QUERY_INFORMATION.BytesNeeded());
            }
            default -> {
                OriginalRequest.DATA.QUERY_INFORMATION.BytesWritten(Request.DATA.QUERY_INFORMATION.BytesWritten());
                OriginalRequest.DATA.QUERY_INFORMATION.BytesNeeded(Request.DATA.QUERY_INFORMATION.BytesNeeded());
            }
        }
        NdisFreeCloneOidRequest(pFilter.FilterHandle, Request);
        NdisFOidRequestComplete(pFilter.FilterHandle, OriginalRequest, Status);
    }

    // ---- status ----

    void FilterStatus(@Nullable Object FilterModuleContext, NDIS_STATUS_INDICATION StatusIndication) {
        MS_FILTER pFilter = filter(FilterModuleContext);
        if (StatusIndication.StatusCode == NDIS_STATUS_LINK_STATE
                && StatusIndication.StatusBuffer instanceof NDIS_LINK_STATE LinkState) {
            pFilter.LinkStateIndications.incrementAndGet();
            pFilter.LastMediaConnectState = LinkState.MediaConnectState;
        }
        NdisFIndicateStatus(pFilter.FilterHandle, StatusIndication);
    }

    // ---- data path ----

    void FilterSendNetBufferLists(
            @Nullable Object FilterModuleContext, NetBufferList NetBufferLists, int PortNumber, int SendFlags) {
        MS_FILTER pFilter = filter(FilterModuleContext);
        int count = count(NetBufferLists);
        pFilter.SendsSeen.addAndGet(count);
        if (pFilter.State != MS_FILTER.FilterRunning) {
            for (NetBufferList CurrNbl = NetBufferLists; CurrNbl != null; CurrNbl = NET_BUFFER_LIST_NEXT_NBL(CurrNbl)) {
                NET_BUFFER_LIST_STATUS(CurrNbl, NDIS_STATUS_PAUSED);
            }
            NdisFSendNetBufferListsComplete(
                    pFilter.FilterHandle,
                    NetBufferLists,
                    (SendFlags & NDIS_SEND_FLAGS_DISPATCH_LEVEL) != 0 ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0);
            return;
        }
        pFilter.OutstandingSends.addAndGet(count);
        NdisFSendNetBufferLists(pFilter.FilterHandle, NetBufferLists, PortNumber, SendFlags);
    }

    void FilterSendNetBufferListsComplete(
            @Nullable Object FilterModuleContext, NetBufferList NetBufferLists, int SendCompleteFlags) {
        MS_FILTER pFilter = filter(FilterModuleContext);
        pFilter.OutstandingSends.addAndGet(-count(NetBufferLists));
        NdisFSendNetBufferListsComplete(pFilter.FilterHandle, NetBufferLists, SendCompleteFlags);
    }

    void FilterCancelSendNetBufferLists(@Nullable Object FilterModuleContext, long CancelId) {
        MS_FILTER pFilter = filter(FilterModuleContext);
        NdisFCancelSendNetBufferLists(pFilter.FilterHandle, CancelId);
    }

    void FilterReceiveNetBufferLists(
            @Nullable Object FilterModuleContext,
            NetBufferList NetBufferLists,
            int PortNumber,
            int NumberOfNetBufferLists,
            int ReceiveFlags) {
        MS_FILTER pFilter = filter(FilterModuleContext);
        pFilter.ReceivesSeen.addAndGet(NumberOfNetBufferLists);
        if (pFilter.State != MS_FILTER.FilterRunning) {
            // Paused: nothing goes up. Indications that may pend are returned; RESOURCES ones stay the miniport's.
            if (NDIS_TEST_RECEIVE_CAN_PEND(ReceiveFlags)) {
                NdisFReturnNetBufferLists(
                        pFilter.FilterHandle,
                        NetBufferLists,
                        (ReceiveFlags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != 0 ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0);
            }
            return;
        }
        // With RESOURCES set the NBLs are the miniport's again when the indication returns: nothing is outstanding.
        if (NDIS_TEST_RECEIVE_CAN_PEND(ReceiveFlags)) {
            pFilter.OutstandingReceives.addAndGet(NumberOfNetBufferLists);
        } else {
            pFilter.ReceivesWithResources.addAndGet(NumberOfNetBufferLists);
        }
        NdisFIndicateReceiveNetBufferLists(
                pFilter.FilterHandle, NetBufferLists, PortNumber, NumberOfNetBufferLists, ReceiveFlags);
    }

    void FilterReturnNetBufferLists(
            @Nullable Object FilterModuleContext, NetBufferList NetBufferLists, int ReturnFlags) {
        MS_FILTER pFilter = filter(FilterModuleContext);
        pFilter.OutstandingReceives.addAndGet(-count(NetBufferLists));
        NdisFReturnNetBufferLists(pFilter.FilterHandle, NetBufferLists, ReturnFlags);
    }

    private static int count(NetBufferList NetBufferLists) {
        int count = 0;
        for (NetBufferList CurrNbl = NetBufferLists; CurrNbl != null; CurrNbl = NET_BUFFER_LIST_NEXT_NBL(CurrNbl)) {
            count++;
        }
        return count;
    }

    /** The context every handler but FilterAttach receives: the {@link MS_FILTER} FilterAttach gave NDIS. */
    private static MS_FILTER filter(@Nullable Object FilterModuleContext) {
        if (FilterModuleContext instanceof MS_FILTER pFilter) {
            return pFilter;
        }
        throw new IllegalStateException("not this driver's module context: " + FilterModuleContext);
    }
}
