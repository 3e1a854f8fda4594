package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.NdisH.NDIS_DEFAULT_PORT_NUMBER;
import static org.nbl4j.stack.ddk.NdisH.NdisFPauseComplete;
import static org.nbl4j.stack.ddk.NdisH.NdisFSendNetBufferLists;
import static org.nbl4j.stack.ddk.NdisH.NdisFreeNetBufferList;
import static org.nbl4j.stack.ddk.NdisLwf.NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
import static org.nbl4j.stack.ddk.NdisLwf.NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
import static org.nbl4j.stack.ddk.NdisLwf.NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
import static org.nbl4j.stack.ddk.NdisLwf.NdisCloseConfiguration;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFDeregisterFilterDriver;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFOidRequestComplete;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFRegisterFilterDriver;
import static org.nbl4j.stack.ddk.NdisLwf.NdisFSetAttributes;
import static org.nbl4j.stack.ddk.NdisLwf.NdisOpenConfigurationEx;
import static org.nbl4j.stack.ddk.NdisLwf.NdisParameterHexInteger;
import static org.nbl4j.stack.ddk.NdisLwf.NdisParameterInteger;
import static org.nbl4j.stack.ddk.NdisLwf.NdisParameterString;
import static org.nbl4j.stack.ddk.NdisLwf.NdisReadConfiguration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.kernel.DriverParameters;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.FilterDrivers;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.LwfModuleState;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.NdisRule;
import org.nbl4j.stack.ndis.Oids;

/**
 * A filter driver's registration and the verifier rules of its lifecycle, through the DDIs of {@link NdisLwf}, with
 * this test playing the driver: each rule test breaks one rule from a line of its own and checks that the report names
 * that line. Removing the rule's check from the stack ({@code Adapter.oidComplete}, {@code LwfModule.pauseComplete},
 * {@code LwfModule.mayOriginate}, {@code FilterDrivers.deregister}) lets the call through unreported and fails the test.
 */
class NdisLwfTest {
    private static final String SERVICE = "TESTLWF";

    private Ndis ndis;
    private SystemNdis.Binding binding;
    private final List<Adapter> adapters = new ArrayList<>();
    private NetBufferListPool pool;
    private TestDriver driver;

    /** The driver under test: a C-shaped filter whose behaviour each test sets before DriverEntry. */
    private final class TestDriver {
        final Ref<Object> FilterDriverHandle = new Ref<>();
        final Object FilterDriverContext = new Object();
        final List<Context> modules = new CopyOnWriteArrayList<>();
        final List<Object> detached = new CopyOnWriteArrayList<>();
        final List<NDIS_OID_REQUEST> pendedOids = new CopyOnWriteArrayList<>();

        @Nullable
        Object handleSeenBySetOptions;

        int setOptionsStatus = NtStatus.NDIS_STATUS_SUCCESS;
        /** The filter's {@code MinorNdisVersion}: 30 (NDIS 6.30) unless a test makes it older. */
        int minorNdisVersion = 30;

        int pauseStatus = NtStatus.NDIS_STATUS_SUCCESS;
        /** The adapter whose module's FilterPause pends and never completes by itself, or null. */
        @Nullable
        String neverPausesOn;

        boolean setAttributes = true;
        boolean pendOids;

        @Nullable
        String refuseAdapter;

        /** The module context: what NDIS hands back to every handler. */
        final class Context {
            final Object FilterHandle;
            final String AdapterName;
            int MediaType;

            Context(Object filterHandle, String adapterName) {
                this.FilterHandle = filterHandle;
                this.AdapterName = adapterName;
            }
        }

        NDIS_FILTER_DRIVER_CHARACTERISTICS characteristics() {
            NDIS_FILTER_DRIVER_CHARACTERISTICS FChars = new NDIS_FILTER_DRIVER_CHARACTERISTICS();
            FChars.Header.Type = NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS;
            FChars.Header.Revision = NdisLwf.NDIS_FILTER_CHARACTERISTICS_REVISION_2;
            FChars.MajorNdisVersion = 6;
            FChars.MinorNdisVersion = minorNdisVersion;
            FChars.FriendlyName = "Test LWF";
            FChars.ServiceName = SERVICE;
            FChars.SetOptionsHandler = (handle, context) -> {
                handleSeenBySetOptions = FilterDriverHandle.value();
                assertSame(FilterDriverContext, context);
                return setOptionsStatus;
            };
            FChars.AttachHandler = (handle, context, parameters) -> {
                assertSame(FilterDriverContext, context);
                if (parameters.BaseMiniportName.equals(refuseAdapter)) {
                    return NtStatus.NDIS_STATUS_FAILURE;
                }
                Context module = new Context(handle, parameters.BaseMiniportName);
                module.MediaType = parameters.MiniportMediaType;
                if (setAttributes) {
                    NDIS_FILTER_ATTRIBUTES attributes = new NDIS_FILTER_ATTRIBUTES();
                    attributes.Header.Type = NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES;
                    attributes.Header.Revision = NdisLwf.NDIS_FILTER_ATTRIBUTES_REVISION_1;
                    assertEquals(NtStatus.NDIS_STATUS_SUCCESS, NdisFSetAttributes(handle, module, attributes));
                }
                modules.add(module);
                return NtStatus.NDIS_STATUS_SUCCESS;
            };
            FChars.DetachHandler = context -> {
                detached.add(context);
                modules.remove(context);
            };
            FChars.RestartHandler = (context, parameters) -> NtStatus.NDIS_STATUS_SUCCESS;
            FChars.PauseHandler = (context, parameters) ->
                    context(context).AdapterName.equals(neverPausesOn) ? NtStatus.NDIS_STATUS_PENDING : pauseStatus;
            FChars.OidRequestHandler = (context, request) -> {
                if (pendOids) {
                    pendedOids.add(request);
                    return NtStatus.NDIS_STATUS_PENDING;
                }
                return NdisLwf.NdisFOidRequest(context(context).FilterHandle, request);
            };
            FChars.SendNetBufferListsCompleteHandler = (context, nbls, flags) -> {
                for (NetBufferList nbl = nbls, next; nbl != null; nbl = next) {
                    next = nbl.next();
                    nbl.setNext(null);
                    NdisFreeNetBufferList(nbl);
                }
            };
            return FChars;
        }

        Context context(@Nullable Object context) {
            return (Context) context;
        }

        int DriverEntry() {
            return NdisFRegisterFilterDriver(ndis, FilterDriverContext, characteristics(), FilterDriverHandle);
        }

        void DriverUnload() {
            NdisFDeregisterFilterDriver(FilterDriverHandle.value());
        }
    }

    @BeforeEach
    void twoAdapters() {
        ndis = Ndis.create(VerifierSettings.full()
                .withPolicy(ViolationPolicy.COLLECT)
                .withDriverCode(NdisLwfTest.class.getName()));
        binding = SystemNdis.bind(ndis);
        adapters.add(adapter("wwan0", 1));
        adapters.add(adapter("wwan1", 2));
        pool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("Tlwf"), 256));
        driver = new TestDriver();
    }

    private Adapter adapter(String name, int index) {
        return Adapter.builder(ndis)
                .name(name)
                .interfaceIndex(index)
                .pauseTimeout(Duration.ofMillis(200))
                .miniport(MemoryMiniport.builder().name(name).build())
                .build();
    }

    @AfterEach
    void close() {
        adapters.forEach(Adapter::close);
        pool.close();
        binding.close();
        ndis.close();
    }

    /** The line of the caller's statement: {@code int at = line() + 1;} names the line below it. */
    private static int line() {
        return new Throwable().getStackTrace()[1].getLineNumber();
    }

    /** The one violation of {@code rule}, which must name this test's line {@code line} first. */
    private Violation reported(Rule rule, int line) {
        List<Violation> found = ndis.verifier().violations().stream()
                .filter(violation -> violation.rule() == rule)
                .toList();
        assertEquals(1, found.size(), () -> rule + " once: " + ndis.verifier().violations());
        StackTraceElement frame = found.getFirst().site().frames().getFirst();
        assertTrue(frame.getClassName().startsWith(NdisLwfTest.class.getName()), frame::toString);
        assertEquals(line, frame.getLineNumber(), () -> found.getFirst().describe());
        return found.getFirst();
    }

    private NetBufferList own(Object filterHandle) {
        NetBufferList nbl = pool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(20, 0, null));
        nb.write(0, new byte[] {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, (byte) 192, 0, 2, 1, (byte) 198, 51, 100, 1});
        nbl.setSourceHandle(filterHandle);
        return nbl;
    }

    // ---- registration ----

    @Test
    @DisplayName("NdisFRegisterFilterDriver writes the handle before SetOptions, attaches to every adapter (also one"
            + " built later) with the module context, and deregistration detaches every module before it returns")
    void registersAttachesAndDetachesEverywhere() {
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry());
        assertNotNull(driver.FilterDriverHandle.value());
        assertSame(driver.FilterDriverHandle.value(), driver.handleSeenBySetOptions);
        adapters.add(adapter("wwan2", 3));
        assertEquals(3, driver.modules.size());
        for (TestDriver.Context module : driver.modules) {
            assertEquals(NdisLwf.NdisMediumWirelessWan, module.MediaType, "raw-IP adapters report WirelessWan");
        }
        for (Adapter adapter : adapters) {
            assertEquals(1, adapter.lwfModules().size());
            assertEquals(LwfModuleState.RUNNING, adapter.lwfModules().getFirst().state());
        }
        List<TestDriver.Context> attached = List.copyOf(driver.modules);

        driver.DriverUnload();
        assertEquals(attached, driver.detached, "FilterDetach got each module's own context");
        for (Adapter adapter : adapters) {
            assertEquals(List.of(), adapter.lwfModules());
            assertTrue(adapter.running(), adapter + " runs on without the filter");
        }
        assertEquals(List.of(), FilterDrivers.of(ndis).registrations());
        assertEquals(List.of(), ndis.verifier().violations());
    }

    /**
     * NDIS disables RSC on an interface while a filter of NDIS 6.20 or lower is in its stack (WDK, "Programming
     * Considerations for RSC Drivers"): such a filter cannot take receive packets longer than the MTU.
     */
    @Test
    @DisplayName("a filter of NDIS 6.20 turns RSC off on the adapters it attaches to, until it detaches; 6.30 does not")
    void aFilterOfNdis620TurnsReceiveSegmentCoalescingOff() {
        driver.minorNdisVersion = 20;
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry());
        adapters.forEach(adapter -> assertFalse(adapter.receiveSegmentCoalescing(), adapter + " under NDIS 6.20"));
        driver.DriverUnload();
        adapters.forEach(adapter -> assertTrue(adapter.receiveSegmentCoalescing(), adapter + " without it"));

        driver = new TestDriver();
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry());
        adapters.forEach(adapter -> assertTrue(adapter.receiveSegmentCoalescing(), adapter + " under NDIS 6.30"));
        driver.DriverUnload();
    }

    @Test
    @DisplayName("characteristics without a required handler, or not NDIS 6's, are refused and nothing attaches")
    void refusesBadCharacteristics() {
        NDIS_FILTER_DRIVER_CHARACTERISTICS noPause = driver.characteristics();
        noPause.PauseHandler = null;
        Ref<Object> handle = new Ref<>();
        assertEquals(NtStatus.NDIS_STATUS_BAD_CHARACTERISTICS, NdisFRegisterFilterDriver(ndis, null, noPause, handle));
        NDIS_FILTER_DRIVER_CHARACTERISTICS ndis5 = driver.characteristics();
        ndis5.MajorNdisVersion = 5;
        assertEquals(NtStatus.NDIS_STATUS_BAD_VERSION, NdisFRegisterFilterDriver(ndis, null, ndis5, handle));
        assertNull(handle.value());

        driver.setOptionsStatus = NtStatus.NDIS_STATUS_RESOURCES;
        assertEquals(NtStatus.NDIS_STATUS_RESOURCES, driver.DriverEntry());
        assertNull(driver.FilterDriverHandle.value(), "a failed SetOptions leaves no handle");
        assertEquals(List.of(), driver.modules);
        adapters.forEach(adapter -> assertEquals(List.of(), adapter.lwfModules()));
    }

    @Test
    @DisplayName("a FilterAttach that fails, or succeeds without NdisFSetAttributes, leaves that adapter unfiltered")
    void attachFailuresLeaveTheAdapterAlone() {
        driver.refuseAdapter = "wwan0";
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry());
        assertEquals(List.of(), adapters.get(0).lwfModules());
        assertEquals(1, adapters.get(1).lwfModules().size());
        driver.DriverUnload();

        TestDriver careless = new TestDriver();
        careless.setAttributes = false;
        driver = careless;
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, careless.DriverEntry());
        adapters.forEach(adapter -> assertEquals(List.of(), adapter.lwfModules()));
        careless.DriverUnload();
    }

    @Test
    @DisplayName("NdisOpenConfigurationEx and NdisReadConfiguration read the service's parameters the user gave")
    void readsConfiguration() {
        FilterDrivers.of(ndis)
                .configure(SERVICE, DriverParameters.of(Map.of("MaxClones", "42", "Mask", "0x1F", "Name", "wwan")));
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry());

        NDIS_CONFIGURATION_OBJECT ConfigObject = new NDIS_CONFIGURATION_OBJECT();
        ConfigObject.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
        ConfigObject.Header.Revision = NdisLwf.NDIS_CONFIGURATION_OBJECT_REVISION_1;
        ConfigObject.NdisHandle = driver.modules.getFirst().FilterHandle;
        Ref<Object> ConfigurationHandle = new Ref<>();
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, NdisOpenConfigurationEx(ConfigObject, ConfigurationHandle));
        Object handle = ConfigurationHandle.value();
        assertNotNull(handle);

        Ref<Integer> Status = new Ref<>();
        Ref<NDIS_CONFIGURATION_PARAMETER> Value = new Ref<>();
        NdisReadConfiguration(Status, Value, handle, "maxclones", NdisParameterInteger);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, Status.value());
        assertEquals(42, Value.value().ParameterData.IntegerData);
        NdisReadConfiguration(Status, Value, handle, "Mask", NdisParameterHexInteger);
        assertEquals(0x1F, Value.value().ParameterData.IntegerData);
        NdisReadConfiguration(Status, Value, handle, "Name", NdisParameterString);
        assertEquals("wwan", Value.value().ParameterData.StringData);
        NdisReadConfiguration(Status, Value, handle, "Missing", NdisParameterInteger);
        assertEquals(NtStatus.NDIS_STATUS_FAILURE, Status.value());
        assertNull(Value.value());
        NdisReadConfiguration(Status, Value, handle, "Name", NdisParameterInteger);
        assertEquals(NtStatus.NDIS_STATUS_FAILURE, Status.value(), "not a number");
        NdisCloseConfiguration(handle);

        ConfigObject.NdisHandle = driver.FilterDriverHandle.value();
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, NdisOpenConfigurationEx(ConfigObject, ConfigurationHandle));
        ConfigObject.NdisHandle = new Object();
        assertEquals(
                NtStatus.NDIS_STATUS_INVALID_PARAMETER, NdisOpenConfigurationEx(ConfigObject, ConfigurationHandle));
        driver.DriverUnload();
    }

    @Test
    @DisplayName("NdisAllocateCloneOidRequest copies the request under the driver's tag; the union's members share"
            + " one store, so a query's BytesWritten is a set's BytesRead")
    void clonesAndUnion() {
        NDIS_OID_REQUEST request = new NDIS_OID_REQUEST();
        request.RequestType = NdisLwf.NdisRequestQueryInformation;
        request.RequestId = "id";
        request.DATA.QUERY_INFORMATION.Oid(Oids.OID_GEN_STATISTICS);
        request.DATA.QUERY_INFORMATION.InformationBufferLength(152);
        request.SourceReserved[0] = "the issuer's";
        assertEquals(Oids.OID_GEN_STATISTICS, request.DATA.SET_INFORMATION.Oid());
        request.DATA.QUERY_INFORMATION.BytesWritten(7);
        assertEquals(7, request.DATA.SET_INFORMATION.BytesRead());
        assertEquals(7, request.DATA.METHOD_INFORMATION.OutputBufferLength());

        PoolTag tag = PoolTag.fromLiteral("Tcln");
        Ref<NDIS_OID_REQUEST> clone = new Ref<>();
        assertEquals(
                NtStatus.NDIS_STATUS_SUCCESS, NdisLwf.NdisAllocateCloneOidRequest(ndis, request, tag.value(), clone));
        NDIS_OID_REQUEST copy = clone.value();
        assertNotNull(copy);
        assertEquals("id", copy.RequestId);
        assertEquals(Oids.OID_GEN_STATISTICS, copy.DATA.QUERY_INFORMATION.Oid());
        assertEquals(152, copy.DATA.QUERY_INFORMATION.InformationBufferLength());
        assertNull(copy.SourceReserved[0], "SourceReserved is the clone's own");
        assertEquals(1, ndis.poolUsage().diff(tag));
        NdisLwf.NdisFreeCloneOidRequest(ndis, copy);
        assertEquals(0, ndis.poolUsage().diff(tag));
    }

    // ---- the verifier's rules, each from a line of the driver ----

    @Test
    @DisplayName("OID_REQUEST_COMPLETE: NdisFOidRequestComplete twice names the driver's second call")
    void oidCompletedTwice() {
        driver.pendOids = true;
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry());
        NDIS_OID_REQUEST request = new NDIS_OID_REQUEST();
        request.RequestType = NdisLwf.NdisRequestQueryInformation;
        request.DATA.QUERY_INFORMATION.Oid(Oids.OID_GEN_LINK_SPEED);
        assertEquals(NtStatus.NDIS_STATUS_PENDING, adapters.getFirst().oidRequest(request));
        Object filterHandle = adapters.getFirst().lwfModules().getFirst();

        NdisFOidRequestComplete(filterHandle, request, NtStatus.NDIS_STATUS_SUCCESS);
        int at = line() + 1;
        NdisFOidRequestComplete(filterHandle, request, NtStatus.NDIS_STATUS_SUCCESS);

        Violation violation = reported(NdisRule.OID_REQUEST_COMPLETE, at);
        assertTrue(violation.detail().contains("completed twice"), violation.detail());
        driver.DriverUnload();
    }

    @Test
    @DisplayName("FILTER_PAUSE_COMPLETE: NdisFPauseComplete with the filter's own send outstanding names the line")
    void pauseCompletedWithNblsOutstanding() throws Exception {
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry());
        Adapter adapter = adapters.getFirst();
        Object filterHandle = adapter.lwfModules().getFirst();
        // The memory miniport completes sends on queue 0's next service: the send stays outstanding until polled.
        NdisFSendNetBufferLists(filterHandle, own(filterHandle), NDIS_DEFAULT_PORT_NUMBER, 0);
        driver.pauseStatus = NtStatus.NDIS_STATUS_PENDING;
        Thread pausing = Thread.ofPlatform().start(adapter::pause);
        while (adapter.lwfModules().getFirst().state() != LwfModuleState.PAUSING) {
            Thread.onSpinWait();
        }

        int at = line() + 1;
        NdisFPauseComplete(filterHandle);

        Violation violation = reported(NdisRule.FILTER_PAUSE_COMPLETE, at);
        assertTrue(violation.detail().contains("1 own sends"), violation.detail());
        adapter.poll(0, 64);
        NdisFPauseComplete(filterHandle);
        pausing.join();
        assertEquals(LwfModuleState.PAUSED, adapter.lwfModules().getFirst().state());
        driver.pauseStatus = NtStatus.NDIS_STATUS_SUCCESS;
        adapter.restart();
        driver.DriverUnload();
    }

    @Test
    @DisplayName("FILTER_ORIGINATE_NOT_ALLOWED: a send the filter originates while paused is refused at its line")
    void sendWhilePaused() {
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry());
        Adapter adapter = adapters.getFirst();
        Object filterHandle = adapter.lwfModules().getFirst();
        assertTrue(adapter.pause());
        NetBufferList nbl = own(filterHandle);

        int at = line() + 1;
        NdisFSendNetBufferLists(filterHandle, nbl, NDIS_DEFAULT_PORT_NUMBER, 0);

        reported(NdisRule.FILTER_ORIGINATE_NOT_ALLOWED, at);
        NdisFreeNetBufferList(nbl); // refused, so still the filter's
        adapter.restart();
        driver.DriverUnload();
    }

    @Test
    @DisplayName("FILTER_ATTACHED_AT_DEREGISTRATION: a module whose pause never completes stays attached, reported at"
            + " the driver's NdisFDeregisterFilterDriver")
    void moduleAttachedAtDeregistration() {
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry());
        driver.neverPausesOn = "wwan0";
        LwfHandle stuck = adapters.getFirst().lwfModules().getFirst();

        int at = line() + 1;
        NdisFDeregisterFilterDriver(driver.FilterDriverHandle.value());

        Violation violation = reported(NdisRule.FILTER_ATTACHED_AT_DEREGISTRATION, at);
        assertTrue(violation.detail().contains(stuck.name()), violation.detail());
        assertEquals(List.of(stuck), adapters.getFirst().lwfModules(), "the stuck module is still attached");
        assertEquals(List.of(), adapters.get(1).lwfModules(), "the other module is detached");
        // The late completion ends the pause; deregistering again detaches what was left.
        NdisFPauseComplete(stuck);
        driver.neverPausesOn = null;
        NdisFDeregisterFilterDriver(driver.FilterDriverHandle.value());
        adapters.forEach(adapter -> assertEquals(List.of(), adapter.lwfModules()));
    }
}
