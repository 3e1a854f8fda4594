package org.nbl4j.stack.ddk;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.kernel.DriverParameters;
import org.nbl4j.stack.ndis.FilterAttachFailed;
import org.nbl4j.stack.ndis.FilterDrivers;
import org.nbl4j.stack.ndis.LinkState;
import org.nbl4j.stack.ndis.LwfAttachment;
import org.nbl4j.stack.ndis.LwfDriver;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.NdisMedium;
import org.nbl4j.stack.ndis.Oids;

/**
 * The filter-driver side of {@code ndis.h} (with the OIDs of {@code ntddndis.h} and {@code oidrequest.h}): what a
 * lightweight filter's {@code DriverEntry}, unload and OID handlers call. {@code NdisFRegisterFilterDriver} with an
 * {@link NDIS_FILTER_DRIVER_CHARACTERISTICS} filled in field by field, {@code NdisFSetAttributes} from
 * {@code FilterAttach}, {@code NdisFDeregisterFilterDriver}, {@code NdisFRestartFilter}, the OID path and the driver's
 * parameters. The packet DDIs a filter calls are in {@link NdisH}; no name is in both, so both on-demand static imports
 * compile together.
 *
 * <p>The work is the stack's: registration and attach in {@link FilterDrivers} and the adapter, OID routing and its
 * rules in the adapter and {@code LwfModule}. The facade translates the C handlers into a module
 * ({@code FilterModule}) and keeps each module's context. Where nbl4j differs from Windows: docs/ndis-adapter.md,
 * "Filter drivers".
 */
public final class NdisLwf {
    private NdisLwf() {}

    // ---- NDIS_OBJECT_HEADER types and revisions ----

    /** {@code NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS}. */
    public static final int NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS = 0x8B;
    /** {@code NDIS_OBJECT_TYPE_FILTER_PARTIAL_CHARACTERISTICS}. */
    public static final int NDIS_OBJECT_TYPE_FILTER_PARTIAL_CHARACTERISTICS = 0x8C;
    /** {@code NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES}. */
    public static final int NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES = 0x8D;
    /** {@code NDIS_OBJECT_TYPE_OID_REQUEST}. */
    public static final int NDIS_OBJECT_TYPE_OID_REQUEST = 0x96;
    /** {@code NDIS_OBJECT_TYPE_STATUS_INDICATION}. */
    public static final int NDIS_OBJECT_TYPE_STATUS_INDICATION = 0x98;
    /** {@code NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS}. */
    public static final int NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS = 0x99;
    /** {@code NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS}. */
    public static final int NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS = 0x9A;
    /** {@code NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS}. */
    public static final int NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS = 0x9B;
    /** {@code NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT}. */
    public static final int NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT = 0xA9;

    /** {@code NDIS_FILTER_CHARACTERISTICS_REVISION_1}. */
    public static final int NDIS_FILTER_CHARACTERISTICS_REVISION_1 = 1;
    /** {@code NDIS_FILTER_CHARACTERISTICS_REVISION_2}. */
    public static final int NDIS_FILTER_CHARACTERISTICS_REVISION_2 = 2;
    /** {@code NDIS_FILTER_ATTRIBUTES_REVISION_1}. */
    public static final int NDIS_FILTER_ATTRIBUTES_REVISION_1 = 1;
    /** {@code NDIS_FILTER_ATTACH_PARAMETERS_REVISION_1}. */
    public static final int NDIS_FILTER_ATTACH_PARAMETERS_REVISION_1 = 1;
    /** {@code NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1}. */
    public static final int NDIS_FILTER_PAUSE_PARAMETERS_REVISION_1 = 1;
    /** {@code NDIS_FILTER_RESTART_PARAMETERS_REVISION_1}. */
    public static final int NDIS_FILTER_RESTART_PARAMETERS_REVISION_1 = 1;
    /** {@code NDIS_OID_REQUEST_REVISION_1}. */
    public static final int NDIS_OID_REQUEST_REVISION_1 = 1;
    /** {@code NDIS_STATUS_INDICATION_REVISION_1}. */
    public static final int NDIS_STATUS_INDICATION_REVISION_1 = 1;
    /** {@code NDIS_LINK_STATE_REVISION_1}. */
    public static final int NDIS_LINK_STATE_REVISION_1 = 1;
    /** {@code NDIS_SIZEOF_LINK_STATE_REVISION_1}. */
    public static final int NDIS_SIZEOF_LINK_STATE_REVISION_1 = Oids.NDIS_SIZEOF_LINK_STATE_REVISION_1;
    /** {@code NDIS_CONFIGURATION_OBJECT_REVISION_1}. */
    public static final int NDIS_CONFIGURATION_OBJECT_REVISION_1 = 1;

    // ---- media ----

    /** {@code NdisMedium802_3}. */
    public static final int NdisMedium802_3 = 0;
    /** {@code NdisMediumWirelessWan}: what nbl4j's raw-IP adapters report (docs/ndis-adapter.md, "The medium"). */
    public static final int NdisMediumWirelessWan = 9;
    /** {@code NdisMediumIP}. */
    public static final int NdisMediumIP = 19;
    /** {@code NdisPhysicalMediumUnspecified}: what nbl4j's adapters report; they have no radio. */
    public static final int NdisPhysicalMediumUnspecified = 0;
    /** {@code NdisPhysicalMediumWirelessWan}. */
    public static final int NdisPhysicalMediumWirelessWan = 8;
    /** {@code MediaConnectStateUnknown}. */
    public static final int MediaConnectStateUnknown = 0;
    /** {@code MediaConnectStateConnected}. */
    public static final int MediaConnectStateConnected = 1;
    /** {@code MediaConnectStateDisconnected}. */
    public static final int MediaConnectStateDisconnected = 2;
    /** {@code MediaDuplexStateFull}. */
    public static final int MediaDuplexStateFull = 2;

    // ---- OID requests (ntddndis.h) ----

    /** {@code NdisRequestQueryInformation}. */
    public static final int NdisRequestQueryInformation = Oids.NdisRequestQueryInformation;
    /** {@code NdisRequestSetInformation}. */
    public static final int NdisRequestSetInformation = Oids.NdisRequestSetInformation;
    /** {@code NdisRequestQueryStatistics}. */
    public static final int NdisRequestQueryStatistics = Oids.NdisRequestQueryStatistics;
    /** {@code NdisRequestMethod}. */
    public static final int NdisRequestMethod = Oids.NdisRequestMethod;
    /** {@code OID_GEN_SUPPORTED_LIST}. */
    public static final int OID_GEN_SUPPORTED_LIST = Oids.OID_GEN_SUPPORTED_LIST;
    /** {@code OID_GEN_MEDIA_SUPPORTED}. */
    public static final int OID_GEN_MEDIA_SUPPORTED = Oids.OID_GEN_MEDIA_SUPPORTED;
    /** {@code OID_GEN_MEDIA_IN_USE}. */
    public static final int OID_GEN_MEDIA_IN_USE = Oids.OID_GEN_MEDIA_IN_USE;
    /** {@code OID_GEN_MAXIMUM_FRAME_SIZE}. */
    public static final int OID_GEN_MAXIMUM_FRAME_SIZE = Oids.OID_GEN_MAXIMUM_FRAME_SIZE;
    /** {@code OID_GEN_LINK_SPEED}. */
    public static final int OID_GEN_LINK_SPEED = Oids.OID_GEN_LINK_SPEED;
    /** {@code OID_GEN_CURRENT_PACKET_FILTER}. */
    public static final int OID_GEN_CURRENT_PACKET_FILTER = Oids.OID_GEN_CURRENT_PACKET_FILTER;
    /** {@code OID_GEN_MAXIMUM_TOTAL_SIZE}. */
    public static final int OID_GEN_MAXIMUM_TOTAL_SIZE = Oids.OID_GEN_MAXIMUM_TOTAL_SIZE;
    /** {@code OID_GEN_MEDIA_CONNECT_STATUS}. */
    public static final int OID_GEN_MEDIA_CONNECT_STATUS = Oids.OID_GEN_MEDIA_CONNECT_STATUS;
    /** {@code OID_GEN_PHYSICAL_MEDIUM}. */
    public static final int OID_GEN_PHYSICAL_MEDIUM = Oids.OID_GEN_PHYSICAL_MEDIUM;
    /** {@code OID_GEN_LINK_STATE}. */
    public static final int OID_GEN_LINK_STATE = Oids.OID_GEN_LINK_STATE;
    /** {@code OID_GEN_XMIT_OK}. */
    public static final int OID_GEN_XMIT_OK = Oids.OID_GEN_XMIT_OK;
    /** {@code OID_GEN_RCV_OK}. */
    public static final int OID_GEN_RCV_OK = Oids.OID_GEN_RCV_OK;
    /** {@code OID_GEN_STATISTICS}. */
    public static final int OID_GEN_STATISTICS = Oids.OID_GEN_STATISTICS;
    /** {@code OID_802_3_PERMANENT_ADDRESS}. */
    public static final int OID_802_3_PERMANENT_ADDRESS = Oids.OID_802_3_PERMANENT_ADDRESS;
    /** {@code OID_802_3_CURRENT_ADDRESS}. */
    public static final int OID_802_3_CURRENT_ADDRESS = Oids.OID_802_3_CURRENT_ADDRESS;
    /** {@code NDIS_PACKET_TYPE_DIRECTED}. */
    public static final int NDIS_PACKET_TYPE_DIRECTED = Oids.NDIS_PACKET_TYPE_DIRECTED;
    /** {@code NDIS_PACKET_TYPE_MULTICAST}. */
    public static final int NDIS_PACKET_TYPE_MULTICAST = Oids.NDIS_PACKET_TYPE_MULTICAST;
    /** {@code NDIS_PACKET_TYPE_ALL_MULTICAST}. */
    public static final int NDIS_PACKET_TYPE_ALL_MULTICAST = Oids.NDIS_PACKET_TYPE_ALL_MULTICAST;
    /** {@code NDIS_PACKET_TYPE_BROADCAST}. */
    public static final int NDIS_PACKET_TYPE_BROADCAST = Oids.NDIS_PACKET_TYPE_BROADCAST;
    /** {@code NDIS_PACKET_TYPE_PROMISCUOUS}. */
    public static final int NDIS_PACKET_TYPE_PROMISCUOUS = Oids.NDIS_PACKET_TYPE_PROMISCUOUS;
    /** {@code NDIS_SIZEOF_STATISTICS_INFO_REVISION_1}. */
    public static final int NDIS_SIZEOF_STATISTICS_INFO_REVISION_1 = Oids.NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
    /** {@code NDIS_STATUS_LINK_STATE}: the status code of a link-state indication. */
    public static final int NDIS_STATUS_LINK_STATE = Oids.NDIS_STATUS_LINK_STATE;
    /** {@code NDIS_STATUS_MEDIA_CONNECT}. */
    public static final int NDIS_STATUS_MEDIA_CONNECT = Oids.NDIS_STATUS_MEDIA_CONNECT;
    /** {@code NDIS_STATUS_MEDIA_DISCONNECT}. */
    public static final int NDIS_STATUS_MEDIA_DISCONNECT = Oids.NDIS_STATUS_MEDIA_DISCONNECT;

    // ---- configuration ----

    /** {@code NdisParameterInteger}: a decimal ULONG. */
    public static final int NdisParameterInteger = 0;
    /** {@code NdisParameterHexInteger}: a hexadecimal ULONG. */
    public static final int NdisParameterHexInteger = 1;
    /** {@code NdisParameterString}. */
    public static final int NdisParameterString = 2;

    /** The modules of filter drivers registered here, each with its context; an entry lives from attach to detach. */
    private static final Map<LwfHandle, FilterModule> MODULES = new ConcurrentHashMap<>();

    // ---- registration ----

    /**
     * {@code NdisFRegisterFilterDriver(DriverObject, FilterDriverContext, FilterDriverCharacteristics,
     * &NdisFilterDriverHandle)} (PASSIVE_LEVEL): checks and copies the characteristics, writes the handle, calls
     * {@code SetOptionsHandler}, then attaches a module to every adapter of the NDIS instance.
     *
     * @param driverObject names the NDIS instance, as any NDIS handle does ({@code NULL}: the thread's
     *     {@link SystemNdis})
     * @return {@code NDIS_STATUS_SUCCESS}; {@code NDIS_STATUS_BAD_VERSION} for a header or NDIS version that is not
     *     NDIS 6's; {@code NDIS_STATUS_BAD_CHARACTERISTICS} without the four required handlers; or what
     *     {@code SetOptionsHandler} failed with
     */
    public static int NdisFRegisterFilterDriver(
            @Nullable Object driverObject,
            @Nullable Object filterDriverContext,
            NDIS_FILTER_DRIVER_CHARACTERISTICS filterDriverCharacteristics,
            Ref<Object> ndisFilterDriverHandle) {
        ndisFilterDriverHandle.set(null);
        NDIS_FILTER_DRIVER_CHARACTERISTICS characteristics = filterDriverCharacteristics.copy();
        if (characteristics.Header.Type != NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS
                || characteristics.MajorNdisVersion != 6) {
            return NtStatus.NDIS_STATUS_BAD_VERSION;
        }
        FILTER_ATTACH attachHandler = characteristics.AttachHandler;
        if (attachHandler == null
                || characteristics.DetachHandler == null
                || characteristics.RestartHandler == null
                || characteristics.PauseHandler == null) {
            return NtStatus.NDIS_STATUS_BAD_CHARACTERISTICS;
        }
        String name = characteristics.FriendlyName != null ? characteristics.FriendlyName : "filter";
        Ref<FilterDrivers.@Nullable Registration> registered = new Ref<>();
        LwfDriver driver = handle -> attach(handle, characteristics, filterDriverContext, attachHandler, registered);
        // A filter of NDIS 6.20 or lower cannot take coalesced receive packets: NDIS turns RSC off under it.
        boolean largeReceivePackets = characteristics.MinorNdisVersion >= 30;
        int[] setOptions = {NtStatus.NDIS_STATUS_SUCCESS};
        FilterDrivers.Registration registration = FilterDrivers.of(SystemNdis.of(driverObject))
                .register(
                        new LwfAttachment(name, driver, largeReceivePackets),
                        characteristics.ServiceName != null ? characteristics.ServiceName : name,
                        handle -> {
                            registered.set(handle);
                            ndisFilterDriverHandle.set(handle);
                            FILTER_SET_OPTIONS options = characteristics.SetOptionsHandler;
                            setOptions[0] = options == null
                                    ? NtStatus.NDIS_STATUS_SUCCESS
                                    : options.filterSetOptions(handle, filterDriverContext);
                            return setOptions[0];
                        });
        if (registration == null) {
            ndisFilterDriverHandle.set(null);
        }
        return setOptions[0];
    }

    /** {@code FilterAttach} through the driver's handler: the module exists only if it returns SUCCESS. */
    private static FilterModule attach(
            LwfHandle handle,
            NDIS_FILTER_DRIVER_CHARACTERISTICS characteristics,
            @Nullable Object filterDriverContext,
            FILTER_ATTACH attachHandler,
            Ref<FilterDrivers.@Nullable Registration> registered) {
        FilterDrivers.Registration registration = registered.value();
        if (registration == null) {
            throw new IllegalStateException("FilterAttach before NdisFRegisterFilterDriver wrote the handle");
        }
        FilterModule module = new FilterModule(characteristics, registration);
        MODULES.put(handle, module);
        int status;
        try {
            status = attachHandler.filterAttach(handle, filterDriverContext, attachParameters(handle));
        } catch (RuntimeException failed) {
            MODULES.remove(handle);
            throw failed;
        }
        if (status != NtStatus.NDIS_STATUS_SUCCESS || !module.attributesSet) {
            MODULES.remove(handle);
            throw new FilterAttachFailed(
                    handle.name(),
                    status == NtStatus.NDIS_STATUS_SUCCESS ? NtStatus.NDIS_STATUS_FAILURE : status,
                    status == NtStatus.NDIS_STATUS_SUCCESS
                            ? "FilterAttach returned SUCCESS without calling NdisFSetAttributes"
                            : "FilterAttach refused the adapter");
        }
        // A filter that has no handler for a direction is left out of it, as NDIS does for NULL handlers.
        handle.setOptionalHandlers(
                characteristics.SendNetBufferListsHandler != null
                        || characteristics.SendNetBufferListsCompleteHandler != null,
                characteristics.ReceiveNetBufferListsHandler != null
                        || characteristics.ReturnNetBufferListsHandler != null);
        return module;
    }

    private static NDIS_FILTER_ATTACH_PARAMETERS attachParameters(LwfHandle handle) {
        NDIS_FILTER_ATTACH_PARAMETERS parameters = new NDIS_FILTER_ATTACH_PARAMETERS();
        parameters.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS;
        parameters.Header.Revision = NDIS_FILTER_ATTACH_PARAMETERS_REVISION_1;
        parameters.IfIndex = handle.interfaceIndex();
        parameters.BaseMiniportIfIndex = handle.interfaceIndex();
        parameters.LowerIfIndex = handle.interfaceIndex();
        parameters.FilterModuleGuidName = handle.name();
        parameters.BaseMiniportName = handle.adapterName();
        parameters.BaseMiniportInstanceName = handle.adapterName();
        NdisMedium medium = handle.medium();
        parameters.MiniportMediaType = medium.value();
        parameters.MiniportPhysicalMediaType = NdisPhysicalMediumUnspecified;
        LinkState linkState = handle.linkState();
        parameters.MediaConnectState = linkState.ordinal();
        parameters.MediaDuplexState = MediaDuplexStateFull;
        parameters.XmitLinkSpeed = handle.linkSpeed();
        parameters.RcvLinkSpeed = handle.linkSpeed();
        return parameters;
    }

    /**
     * {@code NdisFSetAttributes(NdisFilterHandle, FilterModuleContext, FilterAttributes)}: from {@code FilterAttach}
     * only, gives NDIS the context every other handler of the module receives.
     *
     * @return {@code NDIS_STATUS_SUCCESS}; {@code NDIS_STATUS_INVALID_PARAMETER} for attributes that are not
     *     {@code NDIS_FILTER_ATTRIBUTES}; {@code NDIS_STATUS_FAILURE} outside {@code FilterAttach}
     */
    public static int NdisFSetAttributes(
            Object ndisFilterHandle, @Nullable Object filterModuleContext, NDIS_FILTER_ATTRIBUTES filterAttributes) {
        if (filterAttributes.Header.Type != NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES) {
            return NtStatus.NDIS_STATUS_INVALID_PARAMETER;
        }
        FilterModule module = MODULES.get(filter(ndisFilterHandle));
        if (module == null || module.attributesSet) {
            return NtStatus.NDIS_STATUS_FAILURE;
        }
        module.context = filterModuleContext;
        module.attributesSet = true;
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /**
     * {@code NdisFDeregisterFilterDriver(NdisFilterDriverHandle)} (PASSIVE_LEVEL): detaches every module of the driver
     * ({@code FilterPause}, {@code FilterDetach}) before it returns. A module that stays attached is reported as
     * {@code FILTER_ATTACHED_AT_DEREGISTRATION}, naming the caller's line.
     */
    public static void NdisFDeregisterFilterDriver(Object ndisFilterDriverHandle) {
        if (!(ndisFilterDriverHandle instanceof FilterDrivers.Registration registration)) {
            throw new IllegalArgumentException("not an NdisFilterDriverHandle: " + ndisFilterDriverHandle);
        }
        List<LwfHandle> left = registrationOwner(registration).deregister(registration);
        left.forEach(MODULES::remove);
    }

    private static FilterDrivers registrationOwner(FilterDrivers.Registration registration) {
        List<LwfHandle> modules = registration.modules();
        Ndis ndis =
                modules.isEmpty() ? SystemNdis.current() : modules.getFirst().ndis();
        return FilterDrivers.of(ndis);
    }

    /**
     * {@code NdisFRestartFilter(NdisFilterHandle)}: pauses and restarts the module's stack, so that NDIS calls its
     * {@code FilterSetModuleOptions} and {@code FilterRestart} again. Done before it returns when called at
     * PASSIVE_LEVEL, scheduled otherwise.
     */
    public static int NdisFRestartFilter(Object ndisFilterHandle) {
        return filter(ndisFilterHandle).restartFilter();
    }

    // ---- OID requests ----

    /**
     * {@code NdisFOidRequest(NdisFilterHandle, OidRequest)}: passes a request down. Returns its status, or
     * {@code NDIS_STATUS_PENDING} and the module's {@code OidRequestCompleteHandler} gets it once.
     */
    public static int NdisFOidRequest(Object ndisFilterHandle, NDIS_OID_REQUEST oidRequest) {
        return filter(ndisFilterHandle).oidRequest(oidRequest);
    }

    /**
     * {@code NdisFOidRequestComplete(NdisFilterHandle, OidRequest, Status)}: completes a request from above that
     * {@code FilterOidRequest} returned PENDING for. Completing it twice is {@code OID_REQUEST_COMPLETE}.
     */
    public static void NdisFOidRequestComplete(Object ndisFilterHandle, NDIS_OID_REQUEST oidRequest, int status) {
        filter(ndisFilterHandle).oidRequestComplete(oidRequest, status);
    }

    /** {@code NdisFCancelOidRequest(NdisFilterHandle, RequestId)}: forwards a cancel down. */
    public static void NdisFCancelOidRequest(Object ndisFilterHandle, Object requestId) {
        filter(ndisFilterHandle).cancelOidRequest(requestId);
    }

    /**
     * {@code NdisAllocateCloneOidRequest(SourceHandle, OidRequest, PoolTag, &CloneOidRequest)}: a copy of the request
     * (every field but {@code SourceReserved}, the same information buffer) for the filter to pass down, counted under
     * {@code PoolTag} until {@code NdisFreeCloneOidRequest}.
     *
     * @return {@code NDIS_STATUS_SUCCESS}, or {@code NDIS_STATUS_RESOURCES} when the memory is refused
     */
    public static int NdisAllocateCloneOidRequest(
            Object sourceHandle, NDIS_OID_REQUEST oidRequest, int poolTag, Ref<NDIS_OID_REQUEST> cloneOidRequest) {
        cloneOidRequest.set(null);
        MemoryBlock memory =
                SystemNdis.of(sourceHandle).allocateMemoryWithTag(NDIS_OID_REQUEST.SIZEOF, new PoolTag(poolTag));
        if (memory == null) {
            return NtStatus.NDIS_STATUS_RESOURCES;
        }
        NDIS_OID_REQUEST clone = new NDIS_OID_REQUEST();
        oidRequest.copyInto(clone);
        clone.cloneMemory = memory;
        cloneOidRequest.set(clone);
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /** {@code NdisFreeCloneOidRequest(SourceHandle, CloneOidRequest)}: frees a clone and its tagged memory. */
    public static void NdisFreeCloneOidRequest(Object sourceHandle, NDIS_OID_REQUEST cloneOidRequest) {
        MemoryBlock memory = cloneOidRequest.cloneMemory;
        if (memory == null) {
            throw new IllegalArgumentException("not a request from NdisAllocateCloneOidRequest: " + cloneOidRequest);
        }
        SystemNdis.of(sourceHandle).freeMemory(memory);
    }

    // ---- status ----

    /**
     * {@code NdisFIndicateStatus(NdisFilterHandle, StatusIndication)}: passes a status indication up; one the module
     * makes itself names its filter handle as {@code SourceHandle}.
     */
    public static void NdisFIndicateStatus(Object ndisFilterHandle, NDIS_STATUS_INDICATION statusIndication) {
        LwfHandle handle = filter(ndisFilterHandle);
        handle.indicateStatus(statusIndication.toStack(handle));
    }

    // ---- configuration ----

    /**
     * {@code NdisOpenConfigurationEx(ConfigObject, &ConfigurationHandle)}: opens the parameters of the driver's
     * service ({@code ServiceName}), given to {@link FilterDrivers#configure}, for {@code NdisReadConfiguration}.
     * {@code ConfigObject->NdisHandle} is the driver handle or one of its module handles.
     *
     * @return {@code NDIS_STATUS_SUCCESS}, or {@code NDIS_STATUS_INVALID_PARAMETER} for another handle
     */
    public static int NdisOpenConfigurationEx(NDIS_CONFIGURATION_OBJECT configObject, Ref<Object> configurationHandle) {
        configurationHandle.set(null);
        FilterDrivers.Registration registration = switch (configObject.NdisHandle) {
            case FilterDrivers.Registration driver -> driver;
            case LwfHandle handle when MODULES.get(handle) != null -> MODULES.get(handle).registration;
            case null, default -> null;
        };
        if (configObject.Header.Type != NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT || registration == null) {
            return NtStatus.NDIS_STATUS_INVALID_PARAMETER;
        }
        configurationHandle.set(registration.parameters());
        return NtStatus.NDIS_STATUS_SUCCESS;
    }

    /**
     * {@code NdisReadConfiguration(&Status, &ParameterValue, ConfigurationHandle, &Keyword, ParameterType)}: reads one
     * value as {@code NdisParameterInteger}, {@code NdisParameterHexInteger} or {@code NdisParameterString}.
     * {@code Status} is {@code NDIS_STATUS_FAILURE} when the keyword is absent or not of that type.
     */
    public static void NdisReadConfiguration(
            Ref<Integer> status,
            Ref<NDIS_CONFIGURATION_PARAMETER> parameterValue,
            Object configurationHandle,
            String keyword,
            int parameterType) {
        parameterValue.set(null);
        status.set(NtStatus.NDIS_STATUS_FAILURE);
        DriverParameters parameters = configuration(configurationHandle);
        NDIS_CONFIGURATION_PARAMETER value = new NDIS_CONFIGURATION_PARAMETER();
        value.ParameterType = parameterType;
        switch (parameterType) {
            case NdisParameterInteger, NdisParameterHexInteger -> {
                OptionalInt read = parameters.integer(keyword, parameterType == NdisParameterHexInteger ? 16 : 10);
                if (read.isEmpty()) {
                    return;
                }
                value.ParameterData.IntegerData = read.getAsInt();
            }
            case NdisParameterString -> {
                String read = parameters.string(keyword).orElse(null);
                if (read == null) {
                    return;
                }
                value.ParameterData.StringData = read;
            }
            default -> {
                return;
            }
        }
        parameterValue.set(value);
        status.set(NtStatus.NDIS_STATUS_SUCCESS);
    }

    /** {@code NdisCloseConfiguration(ConfigurationHandle)}. */
    public static void NdisCloseConfiguration(Object configurationHandle) {
        configuration(configurationHandle);
    }

    private static DriverParameters configuration(Object configurationHandle) {
        if (configurationHandle instanceof DriverParameters parameters) {
            return parameters;
        }
        throw new IllegalArgumentException("not a handle from NdisOpenConfigurationEx: " + configurationHandle);
    }

    /** A module detached: its context goes. */
    static void forget(LwfHandle handle) {
        MODULES.remove(handle);
    }

    private static LwfHandle filter(Object ndisFilterHandle) {
        if (ndisFilterHandle instanceof LwfHandle handle) {
            return handle;
        }
        throw new IllegalArgumentException("not an NdisFilterHandle: " + ndisFilterHandle);
    }
}
