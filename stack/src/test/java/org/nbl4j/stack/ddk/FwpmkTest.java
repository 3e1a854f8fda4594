package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.Fwpmk.*;
import static org.nbl4j.stack.ddk.Fwpsk.*;
import static org.nbl4j.stack.ddk.Wdm.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.wfp.EngineSession;
import org.nbl4j.stack.wfp.Filter;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FilterEnum;
import org.nbl4j.stack.wfp.FwpmObject;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.Sublayer;
import org.nbl4j.stack.wfp.WfpRule;

/**
 * The {@code fwpmk.h} face as a callout driver's {@code DriverEntry} uses it: a session, a transaction, a sublayer, a
 * callout and filters with conditions; enumeration; delete by id and key; weights; rollback; and the leak a
 * non-dynamic session leaves at shutdown, named at the driver's line.
 */
class FwpmkTest {
    private static final UUID SUBLAYER = UUID.fromString("0f0e0d0c-0b0a-4908-8706-050403020100");
    private static final UUID CALLOUT_V4 = UUID.fromString("0f0e0d0c-0b0a-4908-8706-050403020101");
    private static final UUID PROVIDER = UUID.fromString("0f0e0d0c-0b0a-4908-8706-050403020102");

    private Ndis ndis;
    private FilterEngine engine;
    private SystemWfp.Binding binding;

    @BeforeEach
    void open() {
        ndis = Ndis.create(VerifierSettings.standard()
                .withPolicy(ViolationPolicy.COLLECT)
                .withDriverCode(FwpmkTest.class.getName()));
        engine = new FilterEngine(ndis);
        binding = SystemWfp.bind(engine);
    }

    @AfterEach
    void close() {
        binding.close();
        engine.close();
        ndis.close();
    }

    /** A callout driver's registration, shaped like the inspect sample's: everything in one transaction. */
    private static final class Driver {
        EngineSession gEngineHandle;
        int gCalloutId;
        final List<Long> filterIds = new ArrayList<>();

        int DriverEntry(int sessionFlags) {
            FWPM_SESSION0 session = new FWPM_SESSION0();
            session.flags = sessionFlags;
            session.displayData.name = "test callout driver";
            Ref<EngineSession> engineHandle = new Ref<>();
            int status = FwpmEngineOpen0(null, RPC_C_AUTHN_WINNT, null, session, engineHandle);
            if (!NT_SUCCESS(status)) {
                return status;
            }
            gEngineHandle = engineHandle.value();
            status = FwpmTransactionBegin0(gEngineHandle, 0);
            if (!NT_SUCCESS(status)) {
                return status;
            }
            FWPM_PROVIDER0 provider = new FWPM_PROVIDER0();
            provider.providerKey = PROVIDER;
            provider.displayData.name = "nbl4j tests";
            status = FwpmProviderAdd0(gEngineHandle, provider, null);

            FWPM_SUBLAYER0 subLayer = new FWPM_SUBLAYER0();
            subLayer.subLayerKey = SUBLAYER;
            subLayer.providerKey = PROVIDER;
            subLayer.displayData.name = "test sublayer";
            subLayer.weight = 0x100;
            if (NT_SUCCESS(status)) {
                status = FwpmSubLayerAdd0(gEngineHandle, subLayer, null);
            }

            FWPS_CALLOUT sCallout = new FWPS_CALLOUT();
            sCallout.calloutKey = CALLOUT_V4;
            sCallout.classifyFn = (values, metadata, nbl, context, filter, flow, classifyOut) ->
                    classifyOut.setActionType(FWP_ACTION_PERMIT);
            Ref<Integer> calloutId = new Ref<>();
            if (NT_SUCCESS(status)) {
                status = FwpsCalloutRegister2(null, sCallout, calloutId);
            }
            FWPM_CALLOUT0 mCallout = new FWPM_CALLOUT0();
            mCallout.calloutKey = CALLOUT_V4;
            mCallout.applicableLayer = FWPM_LAYER_IPFORWARD_V4;
            mCallout.displayData.name = "test callout";
            Ref<Integer> managedId = new Ref<>();
            if (NT_SUCCESS(status)) {
                status = FwpmCalloutAdd0(gEngineHandle, mCallout, null, managedId);
                assertEquals(calloutId.value(), managedId.value(), "FwpmCalloutAdd0 and FwpsCalloutRegister2 agree");
                gCalloutId = calloutId.value();
            }
            if (NT_SUCCESS(status)) {
                status = AddFilter(FWP_ACTION_CALLOUT_TERMINATING, CALLOUT_V4, 2);
            }
            if (NT_SUCCESS(status)) {
                status = AddFilter(FWP_ACTION_BLOCK, null, 1);
            }
            if (!NT_SUCCESS(status)) {
                FwpmTransactionAbort0(gEngineHandle);
                return status;
            }
            return FwpmTransactionCommit0(gEngineHandle);
        }

        /** A filter at IPFORWARD_V4 with {@code conditions} conditions (source subnet, then destination interface). */
        int AddFilter(int actionType, UUID calloutKey, int conditions) {
            FWPM_FILTER_CONDITION0[] filterConditions = new FWPM_FILTER_CONDITION0[2];
            filterConditions[0] = new FWPM_FILTER_CONDITION0();
            filterConditions[0].fieldKey = FWPM_CONDITION_IP_SOURCE_ADDRESS;
            filterConditions[0].matchType = FWP_MATCH_EQUAL;
            filterConditions[0].conditionValue.type = FWP_V4_ADDR_MASK;
            FWP_V4_ADDR_AND_MASK subnet = new FWP_V4_ADDR_AND_MASK();
            subnet.addr = 0xC0000200; // 192.0.2.0
            subnet.mask = 0xFFFFFF00;
            filterConditions[0].conditionValue.v4AddrMask = subnet;
            filterConditions[1] = new FWPM_FILTER_CONDITION0();
            filterConditions[1].fieldKey = FWPM_CONDITION_DESTINATION_INTERFACE_INDEX;
            filterConditions[1].matchType = FWP_MATCH_EQUAL;
            filterConditions[1].conditionValue.type = FWP_UINT32;
            filterConditions[1].conditionValue.uint32 = 2;

            FWPM_FILTER0 filter = new FWPM_FILTER0();
            filter.layerKey = FWPM_LAYER_IPFORWARD_V4;
            filter.subLayerKey = SUBLAYER;
            filter.providerKey = PROVIDER;
            filter.displayData.name = "test filter " + conditions;
            filter.action.type = actionType;
            filter.action.calloutKey = calloutKey;
            filter.weight.type = FWP_EMPTY;
            filter.filterCondition = filterConditions;
            filter.numFilterConditions = conditions;
            Ref<Long> filterId = new Ref<>();
            int status = FwpmFilterAdd0(gEngineHandle, filter, null, filterId);
            if (NT_SUCCESS(status)) {
                filterIds.add(filterId.value());
            }
            return status;
        }

        void DriverUnload() {
            FwpmEngineClose0(gEngineHandle);
            FwpsCalloutUnregisterById0(gCalloutId);
        }
    }

    private List<FWPM_FILTER0> enumerate(EngineSession session, FWPM_FILTER_ENUM_TEMPLATE0 template) {
        Ref<FilterEnum> enumHandle = new Ref<>();
        assertEquals(STATUS_SUCCESS, FwpmFilterCreateEnumHandle0(session, template, enumHandle));
        List<FWPM_FILTER0> all = new ArrayList<>();
        Ref<FWPM_FILTER0[]> entries = new Ref<>();
        Ref<Integer> returned = new Ref<>();
        do {
            assertEquals(STATUS_SUCCESS, FwpmFilterEnum0(session, enumHandle.value(), 1, entries, returned));
            all.addAll(List.of(entries.value()).subList(0, returned.value()));
            FwpmFreeMemory0(entries);
        } while (returned.value() > 0);
        assertEquals(STATUS_SUCCESS, FwpmFilterDestroyEnumHandle0(session, enumHandle.value()));
        return all;
    }

    @Test
    @DisplayName(
            "issue 15 #2: a dynamic session's DriverEntry adds a sublayer, a callout and conditioned filters in one"
                    + " transaction; enumeration shows them; closing the session leaves no WFP object behind")
    void dynamicSessionLeavesNothing() {
        Driver driver = new Driver();
        assertEquals(STATUS_SUCCESS, driver.DriverEntry(FWPM_SESSION_FLAG_DYNAMIC));

        FWPM_FILTER_ENUM_TEMPLATE0 template = new FWPM_FILTER_ENUM_TEMPLATE0();
        template.layerKey = FWPM_LAYER_IPFORWARD_V4;
        template.actionMask = 0xFFFFFFFF;
        List<FWPM_FILTER0> filters = enumerate(driver.gEngineHandle, template);
        assertEquals(2, filters.size());
        FWPM_FILTER0 first = filters.getFirst();
        assertEquals("test filter 2", first.displayData.name, "two conditions weigh more: evaluated first");
        assertEquals(FWP_ACTION_CALLOUT_TERMINATING, first.action.type);
        assertEquals(CALLOUT_V4, first.action.calloutKey);
        assertEquals(SUBLAYER, first.subLayerKey);
        assertEquals(PROVIDER, first.providerKey);
        assertEquals(2, first.numFilterConditions);
        assertEquals(FWPM_CONDITION_IP_SOURCE_ADDRESS, first.filterCondition[0].fieldKey);
        assertEquals(FWP_V4_ADDR_MASK, first.filterCondition[0].conditionValue.type);
        assertEquals(0xFFFFFF00, first.filterCondition[0].conditionValue.v4AddrMask.mask);
        assertEquals(FWPM_CONDITION_DESTINATION_INTERFACE_INDEX, first.filterCondition[1].fieldKey);
        assertEquals(2, first.filterCondition[1].conditionValue.uint32);
        assertEquals(FWP_UINT64, first.effectiveWeight.type);
        assertEquals(2L << 48, first.effectiveWeight.uint64, "FWP_EMPTY: nbl4j's automatic weight");
        assertEquals(List.copyOf(driver.filterIds), List.of(filters.get(0).filterId, filters.get(1).filterId));

        FWPM_FILTER_ENUM_TEMPLATE0 otherLayer = new FWPM_FILTER_ENUM_TEMPLATE0();
        otherLayer.layerKey = FWPM_LAYER_IPFORWARD_V6;
        otherLayer.actionMask = 0xFFFFFFFF;
        assertEquals(List.of(), enumerate(driver.gEngineHandle, otherLayer));

        driver.DriverUnload();
        assertEquals(List.of(), engine.filters(), "filters");
        assertNull(engine.sublayer(SUBLAYER), "sublayer");
        for (FwpmObject.Kind kind : FwpmObject.Kind.values()) {
            assertEquals(List.of(), engine.bfe().objects(kind), kind.toString());
        }
        assertTrue(!engine.isRegistered(CALLOUT_V4), "FwpsCalloutUnregisterById0 unregistered it");
        engine.close();
        assertEquals(List.of(), ndis.verifier().violations(), "nothing leaked");
    }

    @Test
    @DisplayName("FwpmTransactionAbort0 rolls back adds and deletes: the engine is as it was at the begin")
    void abortRollsBack() {
        Driver driver = new Driver();
        assertEquals(STATUS_SUCCESS, driver.DriverEntry(FWPM_SESSION_FLAG_DYNAMIC));
        EngineSession session = driver.gEngineHandle;
        List<Filter> before = engine.filters();

        assertEquals(STATUS_SUCCESS, FwpmTransactionBegin0(session, 0));
        assertEquals(STATUS_FWP_TXN_IN_PROGRESS, FwpmTransactionBegin0(session, 0));
        assertEquals(STATUS_SUCCESS, FwpmFilterDeleteById0(session, driver.filterIds.getFirst()));
        assertEquals(STATUS_SUCCESS, driver.AddFilter(FWP_ACTION_PERMIT, null, 0));
        FWPM_SUBLAYER0 extra = new FWPM_SUBLAYER0();
        extra.subLayerKey = UUID.randomUUID();
        assertEquals(STATUS_SUCCESS, FwpmSubLayerAdd0(session, extra, null));
        assertEquals(STATUS_SUCCESS, FwpmTransactionAbort0(session));

        assertEquals(
                before.stream().map(Filter::filterId).toList(),
                engine.filters().stream().map(Filter::filterId).toList(),
                "the deleted filter is back with its id, the added one gone");
        assertNull(engine.sublayer(extra.subLayerKey));
        assertEquals(2, engine.bfe().objects(FwpmObject.Kind.FILTER).size());
        assertEquals(STATUS_FWP_NO_TXN_IN_PROGRESS, FwpmTransactionCommit0(session));
        driver.DriverUnload();
    }

    @Test
    @DisplayName("§4.8: ADD_FILTER_POST_COMMIT comes when the transaction commits, and never for an aborted one")
    void postCommitNotificationWaitsForTheCommit() {
        UUID key = UUID.randomUUID();
        List<String> notes = new ArrayList<>();
        FWPS_CALLOUT sCallout = new FWPS_CALLOUT();
        sCallout.calloutKey = key;
        sCallout.flags = FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY;
        sCallout.classifyFn = (values, metadata, nbl, context, filter, flow, classifyOut) -> {};
        sCallout.notifyFn = (type, filterKey, filter) -> {
            notes.add(type.name());
            return STATUS_SUCCESS;
        };
        assertEquals(STATUS_SUCCESS, FwpsCalloutRegister2(null, sCallout, null));
        Ref<EngineSession> handle = new Ref<>();
        assertEquals(STATUS_SUCCESS, FwpmEngineOpen0(null, RPC_C_AUTHN_WINNT, null, null, handle));
        EngineSession session = handle.value();
        FWPM_CALLOUT0 mCallout = new FWPM_CALLOUT0();
        mCallout.calloutKey = key;
        mCallout.applicableLayer = FWPM_LAYER_IPFORWARD_V4;
        assertEquals(STATUS_SUCCESS, FwpmCalloutAdd0(session, mCallout, null, null));
        FWPM_FILTER0 filter = permit();
        filter.action.type = FWP_ACTION_CALLOUT_INSPECTION;
        filter.action.calloutKey = key;

        assertEquals(STATUS_SUCCESS, FwpmTransactionBegin0(session, 0));
        assertEquals(STATUS_SUCCESS, FwpmFilterAdd0(session, filter, null, null));
        assertEquals(List.of("ADD_FILTER"), notes, "not committed yet");
        assertEquals(STATUS_SUCCESS, FwpmTransactionCommit0(session));
        assertEquals(List.of("ADD_FILTER", "ADD_FILTER_POST_COMMIT"), notes);

        notes.clear();
        assertEquals(STATUS_SUCCESS, FwpmTransactionBegin0(session, 0));
        assertEquals(STATUS_SUCCESS, FwpmFilterAdd0(session, filter, null, null));
        assertEquals(STATUS_SUCCESS, FwpmTransactionAbort0(session));
        assertEquals(List.of("ADD_FILTER", "DELETE_FILTER"), notes, "an aborted add is deleted, never committed");

        notes.clear();
        assertEquals(STATUS_SUCCESS, FwpmFilterAdd0(session, filter, null, null));
        assertEquals(List.of("ADD_FILTER", "ADD_FILTER_POST_COMMIT"), notes, "outside a transaction: at once");
        for (Filter added : engine.filters()) {
            assertEquals(STATUS_SUCCESS, FwpmFilterDeleteById0(session, added.filterId()));
        }
        assertEquals(STATUS_SUCCESS, FwpmCalloutDeleteByKey0(session, key));
        assertEquals(STATUS_SUCCESS, FwpmEngineClose0(session));
        assertEquals(STATUS_SUCCESS, FwpsCalloutUnregisterByKey0(key));
    }

    @Test
    @DisplayName("weights: FWP_EMPTY and FWP_UINT8 are completed by the engine, FWP_UINT64 is used as is, a range above"
            + " 15 is refused, and the heavier filter is evaluated first")
    void weights() {
        Driver driver = new Driver();
        assertEquals(STATUS_SUCCESS, driver.DriverEntry(FWPM_SESSION_FLAG_DYNAMIC));
        long range = add(driver.gEngineHandle, FWP_UINT8, 3, 0);
        long exact = add(driver.gEngineHandle, FWP_UINT64, 0, 0x7000_0000_0000_0001L);
        FWPM_FILTER0 tooHeavy = permit();
        tooHeavy.weight.type = FWP_UINT8;
        tooHeavy.weight.uint8 = 16;
        assertEquals(STATUS_FWP_INVALID_WEIGHT, FwpmFilterAdd0(driver.gEngineHandle, tooHeavy, null, null));

        assertEquals(3L << 60, weight(range), "range 3 in the high bits, no conditions below");
        assertEquals(0x7000_0000_0000_0001L, weight(exact));
        List<Long> order = engine.filters(Layer.IPFORWARD_V4).stream()
                .filter(filter -> filter.sublayer().key().equals(Sublayer.UNIVERSAL.key()))
                .map(Filter::filterId)
                .toList();
        assertEquals(List.of(exact, range), order);
        driver.DriverUnload();
    }

    private static FWPM_FILTER0 permit() {
        FWPM_FILTER0 filter = new FWPM_FILTER0();
        filter.displayData.name = "permit";
        filter.layerKey = FWPM_LAYER_IPFORWARD_V4;
        filter.action.type = FWP_ACTION_PERMIT;
        return filter;
    }

    private static long add(EngineSession session, int weightType, int uint8, long uint64) {
        FWPM_FILTER0 filter = permit();
        filter.weight.type = weightType;
        filter.weight.uint8 = uint8;
        filter.weight.uint64 = uint64;
        Ref<Long> id = new Ref<>();
        assertEquals(STATUS_SUCCESS, FwpmFilterAdd0(session, filter, null, id));
        return id.value();
    }

    private long weight(long filterId) {
        return engine.filters().stream()
                .filter(filter -> filter.filterId() == filterId)
                .findFirst()
                .orElseThrow()
                .weight();
    }

    @Test
    @DisplayName("delete by id and by key; a callout or sublayer in use by a filter cannot be deleted")
    void deleteByIdAndKey() {
        Driver driver = new Driver();
        assertEquals(STATUS_SUCCESS, driver.DriverEntry(0));
        EngineSession session = driver.gEngineHandle;
        assertEquals(STATUS_FWP_IN_USE, FwpmCalloutDeleteByKey0(session, CALLOUT_V4));
        assertEquals(STATUS_FWP_IN_USE, FwpmSubLayerDeleteByKey0(session, SUBLAYER));
        assertEquals(STATUS_FWP_BUILTIN_OBJECT, FwpmSubLayerDeleteByKey0(session, FWPM_SUBLAYER_UNIVERSAL));

        assertEquals(STATUS_SUCCESS, FwpmFilterDeleteById0(session, driver.filterIds.get(0)));
        assertEquals(STATUS_FWP_FILTER_NOT_FOUND, FwpmFilterDeleteById0(session, driver.filterIds.get(0)));
        UUID secondKey = engine.filters().getFirst().filterKey();
        assertEquals(STATUS_SUCCESS, FwpmFilterDeleteByKey0(session, secondKey));
        assertEquals(STATUS_FWP_FILTER_NOT_FOUND, FwpmFilterDeleteByKey0(session, secondKey));
        assertEquals(STATUS_SUCCESS, FwpmCalloutDeleteById0(session, driver.gCalloutId));
        assertEquals(STATUS_FWP_CALLOUT_NOT_FOUND, FwpmCalloutDeleteByKey0(session, CALLOUT_V4));
        assertEquals(STATUS_SUCCESS, FwpmSubLayerDeleteByKey0(session, SUBLAYER));
        assertEquals(STATUS_FWP_SUBLAYER_NOT_FOUND, FwpmSubLayerDeleteByKey0(session, SUBLAYER));

        FwpmEngineClose0(session);
        assertEquals(
                1, engine.bfe().objects(FwpmObject.Kind.PROVIDER).size(), "a non-dynamic session's provider stays");
        assertEquals(STATUS_SUCCESS, FwpsCalloutUnregisterById0(driver.gCalloutId));
        assertEquals(STATUS_FWP_CALLOUT_NOT_FOUND, FwpsCalloutUnregisterById0(driver.gCalloutId));
    }

    @Test
    @DisplayName("a filter's callout must be an FWPM_CALLOUT0 of the filter's layer; conditions on another layer's"
            + " field and unknown match types are refused")
    void filterRefusals() {
        Driver driver = new Driver();
        assertEquals(STATUS_SUCCESS, driver.DriverEntry(FWPM_SESSION_FLAG_DYNAMIC));
        EngineSession session = driver.gEngineHandle;
        FWPM_FILTER0 filter = permit();
        filter.action.type = FWP_ACTION_CALLOUT_UNKNOWN;
        filter.action.calloutKey = UUID.randomUUID();
        assertEquals(STATUS_FWP_CALLOUT_NOT_FOUND, FwpmFilterAdd0(session, filter, null, null));
        filter.layerKey = FWPM_LAYER_IPFORWARD_V6;
        filter.action.calloutKey = CALLOUT_V4;
        assertEquals(STATUS_FWP_INCOMPATIBLE_LAYER, FwpmFilterAdd0(session, filter, null, null));

        FWPM_FILTER0 conditioned = permit();
        conditioned.numFilterConditions = 1;
        conditioned.filterCondition = new FWPM_FILTER_CONDITION0[] {new FWPM_FILTER_CONDITION0()};
        conditioned.filterCondition[0].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS; // not an IPFORWARD field
        conditioned.filterCondition[0].conditionValue.type = FWP_UINT32;
        assertEquals(STATUS_FWP_CONDITION_NOT_FOUND, FwpmFilterAdd0(session, conditioned, null, null));
        conditioned.filterCondition[0].fieldKey = FWPM_CONDITION_FLAGS;
        conditioned.filterCondition[0].matchType = 99;
        assertEquals(STATUS_FWP_INVALID_ENUMERATOR, FwpmFilterAdd0(session, conditioned, null, null));
        conditioned.filterCondition[0].matchType = FWP_MATCH_FLAGS_NONE_SET;
        conditioned.filterCondition[0].conditionValue.type = FWP_BYTE_ARRAY16_TYPE;
        conditioned.filterCondition[0].conditionValue.byteArray16 = new byte[16];
        assertEquals(STATUS_FWP_TYPE_MISMATCH, FwpmFilterAdd0(session, conditioned, null, null));
        conditioned.numFilterConditions = 2;
        assertEquals(STATUS_FWP_NULL_POINTER, FwpmFilterAdd0(session, conditioned, null, null));
        FWPM_FILTER0 disabled = permit();
        disabled.flags = FWPM_FILTER_FLAG_DISABLED;
        assertEquals(STATUS_FWP_INVALID_FLAGS, FwpmFilterAdd0(session, disabled, null, null));
        FWPM_FILTER0 unnamed = permit();
        unnamed.displayData.name = null;
        assertEquals(STATUS_FWP_NULL_DISPLAY_NAME, FwpmFilterAdd0(session, unnamed, null, null));
        FWPM_FILTER0 noLayer = permit();
        noLayer.layerKey = UUID.randomUUID();
        assertEquals(STATUS_FWP_LAYER_NOT_FOUND, FwpmFilterAdd0(session, noLayer, null, null));
        assertEquals(2, engine.filters().size(), "nothing refused was added");
        driver.DriverUnload();
    }

    /** The number of the first line of this file that contains {@code marker}. */
    private static int sourceLine(String marker) {
        try {
            List<String> lines = Files.readAllLines(
                    Path.of("src", "test", "java", "org", "nbl4j", "stack", "ddk", "FwpmkTest.java"));
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(marker)) {
                    return i + 1;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no line contains " + marker);
    }

    @Test
    @DisplayName("FWPM_OBJECT_LEAKED: what a non-dynamic session left is reported at shutdown with the driver's line"
            + " that added each object")
    void nonDynamicSessionLeaksAreReported() {
        Driver driver = new Driver();
        assertEquals(STATUS_SUCCESS, driver.DriverEntry(0));
        driver.DriverUnload(); // closes the session; a non-dynamic session's objects stay
        assertEquals(2, engine.filters().size());
        engine.close();

        List<Violation> violations = ndis.verifier().violations();
        assertEquals(1, violations.size(), () -> violations.toString());
        Violation leak = violations.getFirst();
        assertEquals(WfpRule.FWPM_OBJECT_LEAKED, leak.rule());
        String report = leak.describe();
        assertTrue(report.contains("filter \"test filter 2\""), report);
        assertTrue(report.contains("sublayer \"test sublayer\""), report);
        assertTrue(report.contains("provider \"nbl4j tests\""), report);
        String addLine = "FwpmkTest$Driver.AddFilter(FwpmkTest.java:"
                + sourceLine("int status = FwpmFilterAdd0(gEngineHandle, filter, null, filterId);") + ")";
        assertTrue(
                report.contains(addLine),
                () -> "names the driver's line that added the filter, " + addLine + ": " + report);
        assertTrue(report.contains("calling Fwpmk.FwpmFilterAdd0"), report);
    }

    @Test
    @DisplayName("FwpsCalloutRegister2 takes FWPS_CALLOUT filled field by field; a NULL classifyFn is refused")
    void calloutStructure() {
        FWPS_CALLOUT callout = new FWPS_CALLOUT();
        callout.calloutKey = UUID.randomUUID();
        Ref<Integer> id = new Ref<>();
        assertEquals(STATUS_INVALID_PARAMETER, FwpsCalloutRegister2(null, callout, id));
        callout.classifyFn = (values, metadata, nbl, context, filter, flow, classifyOut) -> {};
        callout.flags = FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY;
        assertEquals(STATUS_SUCCESS, FwpsCalloutRegister2(null, callout, id));
        assertNotNull(id.value());
        assertEquals(STATUS_FWP_ALREADY_EXISTS, FwpsCalloutRegister2(null, callout, id));
        assertEquals(STATUS_SUCCESS, FwpsCalloutUnregisterByKey0(callout.calloutKey));
    }

    @Test
    @DisplayName("FwpsReassembleForwardFragmentGroup0 translates the family and returns the engine's refusals")
    void reassembleTranslates() {
        Ref<org.nbl4j.core.buffer.NetBufferList> reassembled = new Ref<>();
        org.nbl4j.core.buffer.NetBufferList nbl =
                ndis.defaultNetBufferListPool().allocateNetBufferAndNetBufferList(0, 0, null, 0, 0);
        assertNotNull(nbl);
        assertEquals(STATUS_INVALID_PARAMETER, FwpsReassembleForwardFragmentGroup0(99, nbl, null, 0, 0, reassembled));
        assertNull(reassembled.value());
        assertEquals(
                STATUS_INVALID_PARAMETER, FwpsReassembleForwardFragmentGroup0(AF_INET, nbl, null, 0, 1, reassembled));
        assertNull(reassembled.value());
        nbl.free();
    }

    @Test
    @DisplayName("IRQL_TOO_HIGH: the management DDIs run at PASSIVE_LEVEL; called at DISPATCH they are refused and the"
            + " report names the driver's line")
    void managementAtDispatchIsRefused() {
        Driver driver = new Driver();
        assertEquals(STATUS_SUCCESS, driver.DriverEntry(FWPM_SESSION_FLAG_DYNAMIC));
        EngineSession session = driver.gEngineHandle;
        List<Integer> statuses = new ArrayList<>();
        Irql.runAt(Irql.DISPATCH_LEVEL, () -> {
            statuses.add(FwpmEngineOpen0(null, RPC_C_AUTHN_WINNT, null, null, new Ref<>()));
            statuses.add(FwpmTransactionBegin0(session, 0));
            statuses.add(FwpmFilterAdd0(session, permit(), null, null));
            statuses.add(FwpmFilterDeleteById0(session, driver.filterIds.getFirst()));
            statuses.add(FwpmFilterCreateEnumHandle0(session, null, new Ref<>()));
            statuses.add(FwpmEngineClose0(session));
        });
        assertEquals(List.of(6), List.of(statuses.size()));
        for (int status : statuses) {
            assertEquals(STATUS_INVALID_DEVICE_STATE, status);
        }
        List<Violation> violations = ndis.verifier().violations();
        assertEquals(6, violations.size(), violations::toString);
        Violation first = violations.getFirst();
        assertEquals(BufferRule.IRQL_TOO_HIGH, first.rule());
        assertTrue(first.detail().contains("FwpmEngineOpen0 requires IRQL == PASSIVE_LEVEL"), first.detail());
        assertTrue(
                first.site()
                        .headline()
                        .startsWith("org.nbl4j.stack.ddk.FwpmkTest.lambda$managementAtDispatchIsRefused"),
                first.site().headline());
        assertTrue(
                first.site().headline().endsWith("calling Fwpmk.FwpmEngineOpen0"),
                first.site().headline());
        assertEquals(2, engine.filters().size(), "nothing changed");
        driver.DriverUnload();
    }

    @Test
    @DisplayName("FwpmFilterDestroyEnumHandle0 and FwpmFreeMemory0 at DISPATCH, FwpsReassembleForwardFragmentGroup0 at"
            + " HIGH_LEVEL: IRQL_TOO_HIGH, each refused call doing nothing")
    void enumCleanupAndReassemblyAboveTheirIrql() {
        Driver driver = new Driver();
        assertEquals(STATUS_SUCCESS, driver.DriverEntry(FWPM_SESSION_FLAG_DYNAMIC));
        EngineSession session = driver.gEngineHandle;
        Ref<FilterEnum> enumHandle = new Ref<>();
        assertEquals(STATUS_SUCCESS, FwpmFilterCreateEnumHandle0(session, null, enumHandle));
        Ref<FWPM_FILTER0[]> entries = new Ref<>();
        Ref<Integer> returned = new Ref<>();
        assertEquals(STATUS_SUCCESS, FwpmFilterEnum0(session, enumHandle.value(), 1, entries, returned));
        org.nbl4j.core.buffer.NetBufferList nbl =
                ndis.defaultNetBufferListPool().allocateNetBufferAndNetBufferList(0, 0, null, 0, 0);
        assertNotNull(nbl);
        Ref<org.nbl4j.core.buffer.NetBufferList> reassembled = new Ref<>();
        List<Integer> statuses = new ArrayList<>();
        Irql.runAt(Irql.DISPATCH_LEVEL, () -> {
            statuses.add(FwpmFilterDestroyEnumHandle0(session, enumHandle.value()));
            FwpmFreeMemory0(entries);
        });
        Irql.runAt(
                Irql.HIGH_LEVEL,
                () -> statuses.add(FwpsReassembleForwardFragmentGroup0(AF_INET, nbl, null, 0, 0, reassembled)));
        assertEquals(List.of(STATUS_INVALID_DEVICE_STATE, STATUS_INVALID_DEVICE_STATE), statuses);
        assertNotNull(entries.value(), "the refused FwpmFreeMemory0 left the pointer as it was");
        assertNull(reassembled.value(), "the refused reassembly made no NBL");
        List<String> details = ndis.verifier().violations().stream()
                .peek(v -> assertEquals(BufferRule.IRQL_TOO_HIGH, v.rule()))
                .map(Violation::detail)
                .toList();
        assertEquals(3, details.size(), details::toString);
        assertTrue(
                details.get(0).contains("FwpmFilterDestroyEnumHandle0 requires IRQL == PASSIVE_LEVEL"),
                details::toString);
        assertTrue(details.get(1).contains("FwpmFreeMemory0 requires IRQL == PASSIVE_LEVEL"), details::toString);
        assertTrue(
                details.get(2).contains("FwpsReassembleForwardFragmentGroup0 requires IRQL <= DISPATCH_LEVEL"),
                details::toString);
        assertTrue(details.get(2).contains("nf-fwpsk-fwpsreassembleforwardfragmentgroup0"), details::toString);
        assertEquals(STATUS_SUCCESS, FwpmFilterDestroyEnumHandle0(session, enumHandle.value()));
        nbl.free();
        driver.DriverUnload();
    }

    @Test
    @DisplayName("FwpmEngineOpen0 opens the local engine only, with a kernel authentication service")
    void engineOpenArguments() {
        Ref<EngineSession> handle = new Ref<>();
        assertEquals(STATUS_INVALID_PARAMETER, FwpmEngineOpen0("remote", RPC_C_AUTHN_WINNT, null, null, handle));
        assertEquals(STATUS_INVALID_PARAMETER, FwpmEngineOpen0(null, 7, null, null, handle));
        assertEquals(STATUS_SUCCESS, FwpmEngineOpen0(null, RPC_C_AUTHN_DEFAULT, null, null, handle));
        assertTrue(!handle.value().dynamic(), "no FWPM_SESSION0: a non-dynamic session");
        assertEquals(STATUS_SUCCESS, FwpmEngineClose0(handle.value()));
    }
}
