package org.nbl4j.stack.wfp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A callout that did not opt in to large receive packets ({@code FWP_CALLOUT_FLAG_ALLOW_RSC}) turns RSC off while it
 * is registered (WDK, "Programming Considerations for RSC Drivers", WFP section); the IP path then cuts coalesced
 * packets into segments before any layer sees them (OffloadPathTest).
 */
class CalloutRscOptInTest {
    private static final ClassifyFn PERMIT = (values, metadata, nbl, context, filter, flow, out) -> {};

    @Test
    void aCalloutWithoutTheFlagTurnsRscOffUntilItIsUnregistered() {
        try (WfpTestStack stack = new WfpTestStack()) {
            assertTrue(stack.engine.allowsCoalescedPackets(), "no callout: RSC on");
            UUID optedIn = UUID.randomUUID();
            stack.engine.registerCallout(new Callout(optedIn, Callout.FWP_CALLOUT_FLAG_ALLOW_RSC, PERMIT, null, null));
            assertTrue(stack.engine.allowsCoalescedPackets(), "an opted-in callout keeps RSC on");
            UUID plain = UUID.randomUUID();
            stack.engine.registerCallout(Callout.of(plain, PERMIT));
            assertFalse(stack.engine.allowsCoalescedPackets(), "a callout without FWP_CALLOUT_FLAG_ALLOW_RSC");
            stack.engine.unregisterCallout(plain);
            assertTrue(stack.engine.allowsCoalescedPackets());
            stack.engine.unregisterCallout(optedIn);
        }
    }
}
