package org.nbl4j.samples.lwfreuse;

import static org.nbl4j.stack.ddk.NdisH.NDIS_STATUS_PENDING;
import static org.nbl4j.stack.ddk.NdisH.NDIS_STATUS_SUCCESS;
import static org.nbl4j.stack.ddk.NdisH.NET_BUFFER_LIST_NEXT_NBL;
import static org.nbl4j.stack.ddk.NdisH.NdisFPauseComplete;
import static org.nbl4j.stack.ddk.NdisH.NdisFSendNetBufferListsComplete;
import static org.nbl4j.stack.ddk.NdisKernel.NdisAcquireSpinLock;
import static org.nbl4j.stack.ddk.NdisKernel.NdisAllocateSpinLock;
import static org.nbl4j.stack.ddk.NdisKernel.NdisFreeSpinLock;
import static org.nbl4j.stack.ddk.NdisKernel.NdisReleaseSpinLock;
import static org.nbl4j.stack.ddk.NdisLwf.NDIS_FILTER_ATTRIBUTES_REVISION_1;
import static org.nbl4j.stack.ddk.NdisLwf.NDIS_FILTER_CHARACTERISTICS_REVISION_2;
import static org.nbl4j.stack.ddk.NdisLwf.NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
import static org.nbl4j.stack.ddk.NdisLwf.NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFDeregisterFilterDriver;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFRegisterFilterDriver;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFSetAttributes;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.samples.lwfreuse.LwfReuseRun.Variant;
import org.nbl4j.samples.lwfreuse.PreallocatingLwf.Allocator;
import org.nbl4j.stack.ddk.NDIS_FILTER_ATTACH_PARAMETERS;
import org.nbl4j.stack.ddk.NDIS_FILTER_ATTRIBUTES;
import org.nbl4j.stack.ddk.NDIS_FILTER_DRIVER_CHARACTERISTICS;
import org.nbl4j.stack.ddk.NDIS_FILTER_PAUSE_PARAMETERS;
import org.nbl4j.stack.ddk.NDIS_FILTER_RESTART_PARAMETERS;
import org.nbl4j.stack.ddk.NDIS_SPIN_LOCK;
import org.nbl4j.stack.ddk.Ref;

/**
 * The seed-001 filter driver's {@code DriverEntry}, {@code DriverUnload} and filter handlers. The thread shows only
 * the module's pool, allocation, send and send-complete code; the rest is the shape every NDIS 6 LWF has (the ndis
 * filter sample's, as {@link org.nbl4j.samples.ndislwf.NdisLwfDriver} ports it): {@code DriverEntry} fills in
 * {@code NDIS_FILTER_DRIVER_CHARACTERISTICS} field by field and calls {@code NdisFRegisterFilterDriver}, which
 * attaches a module to every adapter; {@code FilterAttach} allocates the module's {@link PreallocatingLwf} context,
 * gives it to NDIS with {@code NdisFSetAttributes} and keeps it in the driver's module list; {@code DriverUnload}
 * calls {@code NdisFDeregisterFilterDriver}, which detaches every module ({@code FilterDetach} frees its NBLs) before
 * it returns.
 *
 * <p>One object is one load of the driver image: its fields are the C driver's globals. The driver filters nothing:
 * it sets no send, receive or return handler, so NDIS passes that traffic by on its behalf; it sets the send-complete
 * handler because its own sends come back there.
 */
public final class LwfReuseDriver {
    /** The name the modules are known by ({@code FILTER_FRIENDLY_NAME}). */
    public static final String FILTER_FRIENDLY_NAME = "Seed 001 LWF";
    /** {@code FILTER_SERVICE_NAME}: the thread does not show it. */
    public static final String FILTER_SERVICE_NAME = "SEED001LWF";

    private static final String FILTER_UNIQUE_NAME = "{0d9a6f2c-3b1e-4f55-9c7a-5e8f00a1b001}";
    private static final int FILTER_MAJOR_NDIS_VERSION = 6;
    private static final int FILTER_MINOR_NDIS_VERSION = 30;

    /** Which variant's context {@code FilterAttach} allocates: the one difference between the posted and fixed driver. */
    private final Allocator ModuleAllocator;
    /** The send NBLs each module preallocates. */
    private final int Preallocated;

    // ---- the C driver's globals ----

    /** {@code FilterDriverHandle}: written by {@code NdisFRegisterFilterDriver}. */
    final Ref<Object> FilterDriverHandle = new Ref<>();
    /** {@code FilterListLock}. */
    final NDIS_SPIN_LOCK FilterListLock = new NDIS_SPIN_LOCK();
    /** {@code FilterModuleList}: every attached module, guarded by {@link #FilterListLock}. */
    final List<PreallocatingLwf> FilterModuleList = new ArrayList<>();

    /** A load of {@code variant}'s driver whose modules preallocate {@code Preallocated} send NBLs each. */
    public LwfReuseDriver(Variant variant, int Preallocated) {
        this.ModuleAllocator = variant.allocator;
        this.Preallocated = Preallocated;
    }

    /**
     * {@code DriverEntry}: fills in the characteristics field by field and registers the filter.
     *
     * @param DriverObject names the NDIS instance the filter registers with (its {@code Ndis}, or {@code null} for the
     *     thread's)
     * @param RegistryPath the service key, unused
     * @return what {@code NdisFRegisterFilterDriver} returned
     */
    public int DriverEntry(@Nullable Object DriverObject, String RegistryPath) {
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

        FChars.AttachHandler = this::FilterAttach;
        FChars.DetachHandler = this::FilterDetach;
        FChars.RestartHandler = this::FilterRestart;
        FChars.PauseHandler = this::FilterPause;
        FChars.SendNetBufferListsCompleteHandler = this::FilterSendNetBufferListsComplete;

        return NdisFRegisterFilterDriver(DriverObject, null, FChars, FilterDriverHandle);
    }

    /** {@code FilterUnload}: deregisters, which detaches every module before it returns. */
    public void DriverUnload() {
        Object handle = FilterDriverHandle.value();
        if (handle == null) {
            return;
        }
        NdisFDeregisterFilterDriver(handle);
        FilterDriverHandle.set(null);
        NdisFreeSpinLock(FilterListLock);
    }

    /**
     * The attached modules, in attach order. The thread does not show what makes a module send; a device control or
     * a timer of the real driver would find the module this way, and the runners do.
     */
    public List<PreallocatingLwf> FilterModules() {
        NdisAcquireSpinLock(FilterListLock);
        try {
            return List.copyOf(FilterModuleList);
        } finally {
            NdisReleaseSpinLock(FilterListLock);
        }
    }

    // ---- module lifetime ----

    int FilterAttach(
            Object NdisFilterHandle,
            @Nullable Object FilterDriverContext,
            NDIS_FILTER_ATTACH_PARAMETERS AttachParameters) {
        // The thread does not show a medium check: the driver sends whole IP packets, which nbl4j's raw-IP adapters
        // carry as they are.
        PreallocatingLwf pFilter = ModuleAllocator.allocate(NdisFilterHandle, Preallocated);
        int Status = pFilter.AllocateSendResources();
        if (Status != NDIS_STATUS_SUCCESS) {
            pFilter.FreeSendResources();
            return Status;
        }

        NDIS_FILTER_ATTRIBUTES FilterAttributes = new NDIS_FILTER_ATTRIBUTES();
        FilterAttributes.Header.Revision = NDIS_FILTER_ATTRIBUTES_REVISION_1;
        FilterAttributes.Header.Size = 8; // sizeof(NDIS_FILTER_ATTRIBUTES): the header and a ULONG
        FilterAttributes.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
        FilterAttributes.Flags = 0;
        Status = NdisFSetAttributes(NdisFilterHandle, pFilter, FilterAttributes);
        if (Status != NDIS_STATUS_SUCCESS) {
            pFilter.FreeSendResources();
            return Status;
        }

        NdisAcquireSpinLock(FilterListLock);
        try {
            FilterModuleList.add(pFilter);
        } finally {
            NdisReleaseSpinLock(FilterListLock);
        }
        return NDIS_STATUS_SUCCESS;
    }

    void FilterDetach(@Nullable Object FilterModuleContext) {
        PreallocatingLwf pFilter = filter(FilterModuleContext);
        NdisAcquireSpinLock(FilterListLock);
        try {
            FilterModuleList.remove(pFilter);
        } finally {
            NdisReleaseSpinLock(FilterListLock);
        }
        pFilter.FreeSendResources();
    }

    int FilterRestart(@Nullable Object FilterModuleContext, NDIS_FILTER_RESTART_PARAMETERS RestartParameters) {
        return NDIS_STATUS_SUCCESS;
    }

    /** PENDING until the module's own sends are back; {@link #FilterSendNetBufferListsComplete} then completes it. */
    int FilterPause(@Nullable Object FilterModuleContext, NDIS_FILTER_PAUSE_PARAMETERS PauseParameters) {
        PreallocatingLwf pFilter = filter(FilterModuleContext);
        pFilter.PausePending.set(true);
        if (pFilter.OutstandingSendNBLs.get() == 0 && pFilter.PausePending.compareAndSet(true, false)) {
            return NDIS_STATUS_SUCCESS;
        }
        return NDIS_STATUS_PENDING;
    }

    /**
     * {@code FilterSendNetBufferListsComplete}: the loop of the thread, which unchains each NBL; the module's own NBLs
     * go to the variant's {@link PreallocatingLwf#SendCompleteOwnNetBufferList}, the others on up.
     */
    void FilterSendNetBufferListsComplete(
            @Nullable Object FilterModuleContext, NetBufferList NetBufferLists, int SendCompleteFlags) {
        PreallocatingLwf pFilter = filter(FilterModuleContext);
        NetBufferList CurrNbl = NetBufferLists;
        NetBufferList othersHead = null;
        NetBufferList othersTail = null;
        long ownCompleted = 0;
        while (CurrNbl != null) {
            NetBufferList tempNbl = CurrNbl;
            CurrNbl = NET_BUFFER_LIST_NEXT_NBL(CurrNbl);

            // unchain this nbl
            NET_BUFFER_LIST_NEXT_NBL(tempNbl, null);

            if (tempNbl.sourceHandle() == pFilter.FilterHandle) {
                pFilter.SendCompleteOwnNetBufferList(tempNbl);
                ownCompleted++;
            } else if (othersTail == null) {
                othersHead = tempNbl;
                othersTail = tempNbl;
            } else {
                NET_BUFFER_LIST_NEXT_NBL(othersTail, tempNbl);
                othersTail = tempNbl;
            }
        }
        if (othersHead != null) {
            NdisFSendNetBufferListsComplete(pFilter.FilterHandle, othersHead, SendCompleteFlags);
        }
        if (pFilter.OutstandingSendNBLs.addAndGet(-ownCompleted) == 0
                && pFilter.PausePending.compareAndSet(true, false)) {
            NdisFPauseComplete(pFilter.FilterHandle);
        }
    }

    /** The context every handler but FilterAttach receives: the {@link PreallocatingLwf} FilterAttach gave NDIS. */
    private static PreallocatingLwf filter(@Nullable Object FilterModuleContext) {
        if (FilterModuleContext instanceof PreallocatingLwf pFilter) {
            return pFilter;
        }
        throw new IllegalStateException("not this driver's module context: " + FilterModuleContext);
    }
}
