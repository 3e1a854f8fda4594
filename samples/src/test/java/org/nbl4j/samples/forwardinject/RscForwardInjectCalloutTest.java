package org.nbl4j.samples.forwardinject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * The forward-inject callout registers without {@code FWP_CALLOUT_FLAG_ALLOW_RSC}, so loading it turns RSC off;
 * {@link RscForwardInjectCallout} registers with it and leaves RSC on (what a coalesced packet then does through it is
 * RouteOffloadLiveTest's).
 */
class RscForwardInjectCalloutTest {
    @Test
    void onlyTheOptedInDriverLeavesRscOn() {
        Ndis ndis = Ndis.create(VerifierSettings.standard());
        try (SystemNdis.Binding _ = SystemNdis.bind(ndis);
                Router router = Router.create(ndis)) {
            FilterEngine engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
            try (SystemWfp.Binding _ = SystemWfp.bind(engine)) {
                assertTrue(engine.allowsCoalescedPackets(), "no callout: RSC on");
                ForwardInjectCallout plain = new ForwardInjectCallout();
                assertEquals(NtStatus.STATUS_SUCCESS, plain.DriverEntry(null, null));
                assertFalse(engine.allowsCoalescedPackets(), "ForwardInjectCallout did not opt in");
                plain.DriverUnload();
                assertTrue(engine.allowsCoalescedPackets(), "unloaded: RSC on again");

                RscForwardInjectCallout optedIn = new RscForwardInjectCallout();
                assertEquals(NtStatus.STATUS_SUCCESS, optedIn.DriverEntry(null, null));
                assertTrue(engine.allowsCoalescedPackets(), "RscForwardInjectCallout opted in");
                optedIn.DriverUnload();
            }
        } finally {
            ndis.close();
        }
    }
}
