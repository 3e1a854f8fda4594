package org.nbl4j.stack.wfp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListInfo;
import org.nbl4j.core.verify.Bugcheck;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.ip.HookPoint;

/**
 * The WFP info container (nbl-reuse-leak-and-diagnostics §1): who attaches it, that only the NBL's free releases it,
 * and the seed-001 leak of a filter that recycles its send NBLs, in both platform profiles.
 */
class WfpnContainerTest {
    /** The test plays the seed-001 driver: its class is driver code, although it lives in nbl4j's own package. */
    private static final VerifierSettings COLLECT = VerifierSettings.standard()
            .withPolicy(ViolationPolicy.COLLECT)
            .withDriverCode(WfpnContainerTest.class.getName());

    /** The seed-001 driver: preallocated NBLs, sent, completed, and pushed back to its queue instead of freed. */
    private static void sendAndComplete(WfpInfoContainers wfpLightweightFilter, NetBufferList nbl) {
        wfpLightweightFilter.attachOnSend(nbl); // the recycled send
        wfpLightweightFilter.sendCompleted(nbl);
    }

    @Test
    void onWindows10TheSendPathAttachesAContainerThatOnlyTheFreeReleases() {
        try (WfpTestStack stack =
                new WfpTestStack(COLLECT, PlatformProfile.WINDOWS_10, TestPacketInjection.immediate())) {
            WfpInfoContainers containers = stack.engine.containers();
            NetBufferList nbl = stack.packet(TestPackets.ipv4(17, 8), 0);
            containers.attachOnSend(nbl);
            assertTrue(nbl.isInfoSet(NetBufferListInfo.WfpNetBufferListInfo));
            assertEquals(1, stack.outstanding(WfpInfoContainers.TAG));
            containers.sendCompleted(nbl);
            assertEquals(1, stack.outstanding(WfpInfoContainers.TAG), "send completion does not free it");
            stack.free(nbl);
            assertEquals(0, stack.outstanding(WfpInfoContainers.TAG), "NdisFreeNetBufferList does");
            assertTrue(stack.ndis.verifier().violations().isEmpty());
            stack.assertQuiescent();
        }
    }

    @Test
    void recyclingASentNblIsReportedWithTheLineThatSentItAndLeaksWfpn() {
        try (WfpTestStack stack =
                new WfpTestStack(COLLECT, PlatformProfile.WINDOWS_10, TestPacketInjection.immediate())) {
            WfpInfoContainers containers = stack.engine.containers();
            NetBufferList nbl = stack.packet(TestPackets.ipv4(17, 8), 0);
            for (int trip = 0; trip < 5; trip++) {
                sendAndComplete(containers, nbl);
            }
            List<Violation> violations = stack.ndis.verifier().violations();
            assertEquals(4, violations.size());
            Violation first = violations.getFirst();
            assertEquals(WfpRule.WFP_INFO_STALE_ON_SEND, first.rule());
            assertTrue(first.detail().contains(WfpInfoContainers.name(nbl)), first.detail());
            assertTrue(
                    first.site().where().contains("WfpnContainerTest.sendAndComplete(WfpnContainerTest.java:"),
                    first::describe);
            assertEquals(
                    5,
                    stack.ndis
                            .poolUsage()
                            .usage(WfpInfoContainers.TAG)
                            .orElseThrow()
                            .allocs());
            stack.free(nbl);
            assertEquals(4, stack.outstanding(WfpInfoContainers.TAG), "one container leaked per re-send");
        }
    }

    @Test
    void withTheVerifierThrowingTheRecycledSendIsRefused() {
        try (WfpTestStack stack = new WfpTestStack()) {
            WfpInfoContainers containers = stack.engine.containers();
            NetBufferList nbl = stack.packet(TestPackets.ipv4(17, 8), 0);
            sendAndComplete(containers, nbl);
            RuleViolation thrown = assertThrows(RuleViolation.class, () -> containers.attachOnSend(nbl));
            assertEquals(WfpRule.WFP_INFO_STALE_ON_SEND, thrown.rule());
            // The refused send leaves what a collected one leaves: the stale container orphaned (netio's leak), so
            // the NBL carries none and its free cannot release it.
            assertNull(nbl.info(NetBufferListInfo.WfpNetBufferListInfo));
            stack.free(nbl);
            assertEquals(1, stack.outstanding(WfpInfoContainers.TAG), "the stale container stays leaked");
        }
    }

    @Test
    void onWindows7TheSameDriverLeaksNothing() {
        try (WfpTestStack stack =
                new WfpTestStack(COLLECT, PlatformProfile.WINDOWS_7, TestPacketInjection.immediate())) {
            WfpInfoContainers containers = stack.engine.containers();
            NetBufferList nbl = stack.packet(TestPackets.ipv4(17, 8), 0);
            for (int trip = 0; trip < 5; trip++) {
                sendAndComplete(containers, nbl);
            }
            assertNull(nbl.info(NetBufferListInfo.WfpNetBufferListInfo));
            assertEquals(0, stack.outstanding(WfpInfoContainers.TAG));
            assertTrue(stack.ndis.verifier().violations().isEmpty());
            stack.free(nbl);
            stack.assertQuiescent();
        }
    }

    @Test
    void freeingAndReallocatingInsteadOfRecyclingIsClean() {
        try (WfpTestStack stack =
                new WfpTestStack(COLLECT, PlatformProfile.WINDOWS_10, TestPacketInjection.immediate())) {
            for (int trip = 0; trip < 5; trip++) {
                NetBufferList nbl = stack.packet(TestPackets.ipv4(17, 8), 0);
                sendAndComplete(stack.engine.containers(), nbl);
                stack.free(nbl);
            }
            assertTrue(stack.ndis.verifier().violations().isEmpty());
            stack.assertQuiescent();
        }
    }

    @Test
    void aContainerCopiedToAnotherNblIsAnIllegalTransfer() {
        try (WfpTestStack stack =
                new WfpTestStack(COLLECT, PlatformProfile.WINDOWS_10, TestPacketInjection.immediate())) {
            WfpInfoContainers containers = stack.engine.containers();
            NetBufferList a = stack.packet(TestPackets.ipv4(17, 8), 0);
            NetBufferList b = stack.packet(TestPackets.ipv4(17, 8), 0);
            WfpInfoContainer container = containers.attach(a);
            b.setWfpInfo(container); // a raw copy of slot 10, what nbl-reuse §1.5 forbids
            assertNull(containers.find(b));
            Violation violation = stack.ndis.verifier().violations().getFirst();
            assertEquals(WfpRule.WFP_INFO_ILLEGALLY_TRANSFERRED, violation.rule());
            assertEquals(
                    Bugcheck.NDIS_NET_BUFFER_LIST_INFO_ILLEGALLY_TRANSFERRED,
                    violation.bugcheck().code());
            b.setWfpInfo(null);
            stack.free(a);
            stack.free(b);
            stack.assertQuiescent();
        }
    }

    @Test
    void anNblShownToACalloutCarriesAContainerUntilItGoesBack() {
        try (WfpTestStack stack = new WfpTestStack()) {
            UUID key = UUID.randomUUID();
            stack.engine.registerCallout(Callout.of(key, (values, metadata, nbl, context, filter, flow, out) -> {}));
            stack.engine.addFilter(FilterSpec.callout(Layer.IPFORWARD_V4, ActionType.CALLOUT_INSPECTION, key));
            NetBufferList nbl = stack.packet(TestPackets.ipv4(17, 8), 0);
            stack.engine.classify(HookPoint.IPFORWARD, nbl, WfpTestStack.v4Facts(17));
            assertNotNull(stack.engine.containers().find(nbl));
            // A forwarded packet is sent, completes, goes back to its adapter, and is indicated again.
            stack.engine.containers().attachOnSend(nbl);
            stack.engine.containers().sendCompleted(nbl);
            stack.engine.classify(HookPoint.IPFORWARD, nbl, WfpTestStack.v4Facts(17));
            stack.engine.containers().attachOnSend(nbl);
            assertTrue(stack.ndis.verifier().violations().isEmpty(), "a new indication is a new trip");
            stack.engine.containers().release(nbl);
            assertEquals(0, stack.outstanding(WfpInfoContainers.TAG));
            stack.free(nbl);
            stack.assertQuiescent();
        }
    }
}
