package org.nbl4j.stack.wfp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ip.HookPoint;
import org.nbl4j.stack.ip.HookVerdict;
import org.nbl4j.stack.ip.PacketFacts;

/** API-9: the arbitration matrix of §4.7 with §9 items 2-4, at OUTBOUND_IPPACKET_V4. */
class ArbitrationTest {
    private static final Layer LAYER = Layer.OUTBOUND_IPPACKET_V4;
    private static final Sublayer HIGH = new Sublayer(UUID.randomUUID(), 0x9000);
    private static final Sublayer LOW = new Sublayer(UUID.randomUUID(), 0x1000);

    private final WfpTestStack stack = new WfpTestStack();
    private final FilterEngine engine = stack.engine;
    private final NetBufferList packet = stack.packet(TestPackets.ipv4(17, 8), 0);
    private final PacketFacts facts = WfpTestStack.v4Facts(17);

    ArbitrationTest() {
        engine.addSublayer(HIGH);
        engine.addSublayer(LOW);
    }

    @AfterEach
    void close() {
        stack.free(packet);
        stack.assertQuiescent();
        stack.close();
    }

    private HookVerdict classify() {
        return engine.classify(HookPoint.OUTBOUND_IPPACKET, packet, facts);
    }

    private Filter add(Sublayer sublayer, long weight, ActionType action) {
        return engine.addFilter(
                FilterSpec.of(LAYER, action).withSublayer(sublayer.key()).withWeight(weight));
    }

    /** A callout that returns {@code action}, clearing the write right if {@code hard}, and records its input. */
    private UUID callout(ActionType action, boolean hard, List<ClassifyOut> seen) {
        UUID key = UUID.randomUUID();
        engine.registerCallout(Callout.of(key, (values, metadata, nbl, context, filter, flow, out) -> {
            ClassifyOut copy = new ClassifyOut();
            copy.reset(out.actionType(), out.hasWriteRight(), out.filterId());
            seen.add(copy);
            if (!out.hasWriteRight() && action != ActionType.BLOCK) {
                return;
            }
            out.setActionType(action);
            if (hard) {
                out.clearWriteRight();
            }
        }));
        return key;
    }

    private Filter addCallout(Sublayer sublayer, long weight, ActionType filterAction, UUID key) {
        return engine.addFilter(FilterSpec.callout(LAYER, filterAction, key)
                .withSublayer(sublayer.key())
                .withWeight(weight));
    }

    @Test
    void noFilterPermits() {
        assertEquals(HookVerdict.CONTINUE, classify());
    }

    @Test
    void filtersThatDoNotMatchLeaveTheDefaultPermit() {
        engine.addFilter(FilterSpec.of(LAYER, ActionType.BLOCK)
                .withCondition(FilterCondition.of(OutboundIpPacketField.INTERFACE_INDEX, MatchType.EQUAL, 99)));
        assertEquals(HookVerdict.CONTINUE, classify());
    }

    @Test
    void staticBlockBlocks() {
        add(HIGH, 1, ActionType.BLOCK);
        assertEquals(HookVerdict.BLOCK, classify());
    }

    @Test
    void withinASublayerTheHeaviestMatchingFilterDecides() {
        add(HIGH, 10, ActionType.PERMIT);
        add(HIGH, 5, ActionType.BLOCK);
        assertEquals(HookVerdict.CONTINUE, classify());
        add(HIGH, 20, ActionType.BLOCK);
        assertEquals(HookVerdict.BLOCK, classify());
    }

    @Test
    void weightsCompareUnsigned() {
        add(HIGH, 1, ActionType.PERMIT);
        add(HIGH, -1L, ActionType.BLOCK); // 0xFFFFFFFFFFFFFFFF: the heaviest weight there is
        assertEquals(HookVerdict.BLOCK, classify());
    }

    @Test
    void aSoftPermitIsOverriddenByALowerSublayer() {
        add(HIGH, 1, ActionType.PERMIT);
        add(LOW, 1, ActionType.BLOCK);
        assertEquals(HookVerdict.BLOCK, classify());
    }

    @Test
    void aHardPermitIsNotOverriddenByAStaticBlock() {
        engine.addFilter(FilterSpec.of(LAYER, ActionType.PERMIT)
                .withSublayer(HIGH.key())
                .withFlags(Filter.FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT));
        add(LOW, 1, ActionType.BLOCK);
        assertEquals(HookVerdict.CONTINUE, classify());
    }

    @Test
    void aCalloutBlockVetoesAHardPermit() {
        engine.addFilter(FilterSpec.of(LAYER, ActionType.PERMIT)
                .withSublayer(HIGH.key())
                .withFlags(Filter.FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT));
        List<ClassifyOut> seen = new ArrayList<>();
        addCallout(LOW, 1, ActionType.CALLOUT_TERMINATING, callout(ActionType.BLOCK, true, seen));
        assertEquals(HookVerdict.BLOCK, classify());
        assertEquals(1, engine.vetoes());
        assertEquals(ActionType.PERMIT, seen.getFirst().actionType(), "the callout sees the current decision");
        assertFalse(seen.getFirst().hasWriteRight(), "and no write right");
    }

    @Test
    void aHardBlockIsFinal() {
        add(HIGH, 1, ActionType.BLOCK);
        List<ClassifyOut> seen = new ArrayList<>();
        addCallout(LOW, 1, ActionType.CALLOUT_TERMINATING, callout(ActionType.PERMIT, false, seen));
        add(LOW, 0, ActionType.PERMIT);
        assertEquals(HookVerdict.BLOCK, classify());
        assertEquals(1, seen.size(), "every sublayer is still evaluated (§9 item 3)");
        assertEquals(0, engine.vetoes());
    }

    @Test
    void aCalloutBlockThatKeepsTheRightIsSoft() {
        // §9 item 2: BLOCK with the write right kept is a soft block, overridable below.
        addCallout(HIGH, 1, ActionType.CALLOUT_TERMINATING, callout(ActionType.BLOCK, false, new ArrayList<>()));
        add(LOW, 1, ActionType.PERMIT);
        assertEquals(HookVerdict.CONTINUE, classify());
    }

    @Test
    void aCalloutBlockThatClearsTheRightIsHard() {
        addCallout(HIGH, 1, ActionType.CALLOUT_TERMINATING, callout(ActionType.BLOCK, true, new ArrayList<>()));
        add(LOW, 1, ActionType.PERMIT);
        assertEquals(HookVerdict.BLOCK, classify());
    }

    @Test
    void continuePassesToTheNextFilterOfTheSublayer() {
        List<ClassifyOut> seen = new ArrayList<>();
        addCallout(HIGH, 10, ActionType.CALLOUT_UNKNOWN, callout(ActionType.CONTINUE, false, seen));
        add(HIGH, 5, ActionType.BLOCK);
        assertEquals(HookVerdict.BLOCK, classify());
        assertEquals(1, seen.size());
    }

    @Test
    void anInspectionCalloutCannotDecide() {
        addCallout(HIGH, 10, ActionType.CALLOUT_INSPECTION, callout(ActionType.BLOCK, true, new ArrayList<>()));
        assertEquals(HookVerdict.CONTINUE, classify());
    }

    @Test
    void sublayersRunHeaviestFirstAndEachCalloutSeesTheCurrentDecision() {
        List<ClassifyOut> seen = new ArrayList<>();
        add(HIGH, 1, ActionType.PERMIT);
        addCallout(LOW, 1, ActionType.CALLOUT_TERMINATING, callout(ActionType.PERMIT, false, seen));
        classify();
        assertEquals(ActionType.PERMIT, seen.getFirst().actionType());
        assertTrue(seen.getFirst().hasWriteRight(), "a soft permit leaves the right to the sublayer below");
    }

    @Test
    void unregisteredCalloutsBlockUnlessTheFilterSaysPermitAndInspectionIsIgnored() {
        UUID missing = UUID.randomUUID();
        Filter terminating = addCallout(HIGH, 1, ActionType.CALLOUT_TERMINATING, missing);
        assertEquals(HookVerdict.BLOCK, classify());
        engine.deleteFilter(terminating.filterId());
        engine.addFilter(FilterSpec.callout(LAYER, ActionType.CALLOUT_TERMINATING, missing)
                .withSublayer(HIGH.key())
                .withFlags(Filter.FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED));
        add(LOW, 1, ActionType.BLOCK);
        assertEquals(HookVerdict.BLOCK, classify(), "the permit is soft: the lower block wins");
        Filter inspection = addCallout(HIGH, 9, ActionType.CALLOUT_INSPECTION, UUID.randomUUID());
        assertEquals(HookVerdict.BLOCK, classify());
        assertEquals(0, inspection.calloutId());
    }

    @Test
    void blockWithAbsorbIsSilent() {
        UUID key = UUID.randomUUID();
        engine.registerCallout(Callout.of(key, (values, metadata, nbl, context, filter, flow, out) -> {
            out.setActionType(ActionType.BLOCK);
            out.clearWriteRight();
            out.absorb();
        }));
        addCallout(HIGH, 1, ActionType.CALLOUT_TERMINATING, key);
        assertEquals(HookVerdict.ABSORB, classify());
    }

    @Test
    void conditionsOnDifferentFieldsAllHoldAndOnOneFieldAnyHolds() {
        engine.addFilter(FilterSpec.of(LAYER, ActionType.BLOCK)
                .withCondition(FilterCondition.of(OutboundIpPacketField.INTERFACE_INDEX, MatchType.EQUAL, 4))
                .withCondition(FilterCondition.of(OutboundIpPacketField.INTERFACE_INDEX, MatchType.EQUAL, 5))
                .withCondition(FilterCondition.range(OutboundIpPacketField.COMPARTMENT_ID, 1, 3)));
        assertEquals(HookVerdict.BLOCK, classify());
        facts.setCompartmentId(4);
        assertEquals(HookVerdict.CONTINUE, classify());
    }

    @Test
    void flagAndAddressMatches() {
        int isLoopback = 0x1;
        engine.addFilter(FilterSpec.of(LAYER, ActionType.BLOCK)
                .withCondition(FilterCondition.of(OutboundIpPacketField.FLAGS, MatchType.FLAGS_ALL_SET, isLoopback))
                .withCondition(new FilterCondition(
                        OutboundIpPacketField.IP_REMOTE_ADDRESS,
                        MatchType.EQUAL,
                        new ConditionValue.V4AddressAndMask(0xC6336400, 0xFFFFFF00))));
        assertEquals(HookVerdict.CONTINUE, classify());
        facts.setConditionFlags(isLoopback | 0x20);
        assertEquals(HookVerdict.BLOCK, classify(), "198.51.100.7 is in 198.51.100.0/24, in host byte order");
        engine.addFilter(FilterSpec.of(LAYER, ActionType.PERMIT)
                .withWeight(5)
                .withFlags(Filter.FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT)
                .withCondition(FilterCondition.of(OutboundIpPacketField.FLAGS, MatchType.FLAGS_ANY_SET, 0x20)));
        assertEquals(HookVerdict.CONTINUE, classify());
    }

    @Test
    void aFilterOnAFieldWithoutValueNeverMatches() {
        engine.addFilter(FilterSpec.of(LAYER, ActionType.BLOCK)
                .withCondition(FilterCondition.of(OutboundIpPacketField.INTERFACE_TYPE, MatchType.FLAGS_NONE_SET, 1)));
        assertEquals(HookVerdict.CONTINUE, classify());
    }

    @Test
    void callOutsConditionalOnFlowAreSkipped() {
        UUID key = UUID.randomUUID();
        List<String> calls = new ArrayList<>();
        engine.registerCallout(new Callout(
                key,
                Callout.FWP_CALLOUT_FLAG_CONDITIONAL_ON_FLOW,
                (values, metadata, nbl, context, filter, flow, out) -> calls.add("classify"),
                null,
                null));
        addCallout(HIGH, 1, ActionType.CALLOUT_TERMINATING, key);
        assertEquals(HookVerdict.CONTINUE, classify());
        assertTrue(calls.isEmpty());
    }

    @Test
    void badFiltersAreRefused() {
        assertStatus(
                NtStatus.STATUS_FWP_CONDITION_NOT_FOUND,
                () -> engine.addFilter(FilterSpec.of(LAYER, ActionType.BLOCK)
                        .withCondition(FilterCondition.of(IpForwardField.FLAGS, MatchType.EQUAL, 1))));
        assertStatus(
                NtStatus.STATUS_FWP_TYPE_MISMATCH,
                () -> engine.addFilter(FilterSpec.of(LAYER, ActionType.BLOCK)
                        .withCondition(new FilterCondition(
                                OutboundIpPacketField.IP_REMOTE_ADDRESS,
                                MatchType.EQUAL,
                                new ConditionValue.Bytes16(TestPackets.V6_DESTINATION)))));
        assertStatus(
                NtStatus.STATUS_FWP_MATCH_TYPE_MISMATCH,
                () -> engine.addFilter(FilterSpec.of(LAYER, ActionType.BLOCK)
                        .withCondition(FilterCondition.of(OutboundIpPacketField.FLAGS, MatchType.RANGE, 1))));
        assertStatus(
                NtStatus.STATUS_FWP_SUBLAYER_NOT_FOUND,
                () -> engine.addFilter(FilterSpec.of(LAYER, ActionType.BLOCK).withSublayer(UUID.randomUUID())));
        assertStatus(
                NtStatus.STATUS_FWP_INVALID_ACTION_TYPE,
                () -> engine.addFilter(FilterSpec.of(LAYER, ActionType.CONTINUE)));
        UUID key = UUID.randomUUID();
        engine.registerCallout(Callout.of(key, (values, metadata, nbl, context, filter, flow, out) -> {}));
        assertStatus(
                NtStatus.STATUS_FWP_ALREADY_EXISTS,
                () -> engine.registerCallout(
                        Callout.of(key, (values, metadata, nbl, context, filter, flow, out) -> {})));
        assertTrue(engine.filters(LAYER).isEmpty());
    }

    @Test
    void notifyFunctionsSeeAddsAndDeletesAndMayRefuse() {
        UUID key = UUID.randomUUID();
        List<String> notes = new ArrayList<>();
        long[] contextSeen = new long[1];
        engine.registerCallout(new Callout(
                key,
                Callout.FWP_CALLOUT_FLAG_ENABLE_COMMIT_ADD_NOTIFY,
                (values, metadata, nbl, context, filter, flow, out) -> contextSeen[0] = filter.context(),
                (type, filterKey, filter) -> {
                    notes.add(type + (filterKey == null ? " without key" : ""));
                    if (filter.weight() == 666) {
                        return NtStatus.STATUS_UNSUCCESSFUL;
                    }
                    filter.setContext(42);
                    return NtStatus.STATUS_SUCCESS;
                },
                null));
        Filter filter = addCallout(HIGH, 1, ActionType.CALLOUT_INSPECTION, key);
        classify();
        assertEquals(42, contextSeen[0]);
        assertStatus(
                NtStatus.STATUS_FWP_CALLOUT_NOTIFICATION_FAILED,
                () -> addCallout(HIGH, 666, ActionType.CALLOUT_INSPECTION, key));
        engine.deleteFilter(filter.filterId());
        assertEquals(List.of("ADD_FILTER", "ADD_FILTER_POST_COMMIT", "ADD_FILTER", "DELETE_FILTER without key"), notes);
        assertTrue(engine.filters(LAYER).isEmpty());
    }

    @Test
    void aBlockedPacketIsShownAtTheDiscardTwinWithTheBlockingFilter() {
        Filter block = add(HIGH, 1, ActionType.BLOCK);
        UUID key = UUID.randomUUID();
        List<String> seen = new ArrayList<>();
        engine.registerCallout(Callout.of(
                key,
                (values, metadata, nbl, context, filter, flow, out) ->
                        seen.add(values.layer() + " module " + metadata.discardModule() + " reason "
                                + metadata.discardReason() + " filter " + metadata.discardFilterId())));
        engine.addFilter(FilterSpec.callout(LAYER.discardTwin(), ActionType.CALLOUT_INSPECTION, key));
        assertEquals(HookVerdict.BLOCK, classify());
        engine.discarded(HookPoint.OUTBOUND_IPPACKET, packet, facts);
        assertEquals(List.of("OUTBOUND_IPPACKET_V4_DISCARD module 2 reason 0 filter " + block.filterId()), seen);
    }

    static void assertStatus(int status, Runnable call) {
        FwpStatusException thrown = org.junit.jupiter.api.Assertions.assertThrows(FwpStatusException.class, call::run);
        assertEquals(NtStatus.name(status), NtStatus.name(thrown.status()));
    }
}
