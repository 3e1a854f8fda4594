package org.nbl4j.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.samples.ndislwf.FilterModuleInfo;
import org.nbl4j.samples.ndislwf.NdisLwfDriver;
import org.nbl4j.stack.router.Router;

/**
 * The sample LWF ({@code samples.ndislwf}) on the replay engine's two-interface router, replaying the bundled capture
 * again and again in one JVM until 11,000 packets were forwarded: loaded by its DriverEntry before the first packet of
 * each replay, checked and unloaded once the router drained.
 */
class LwfSampleReplayTest {
    private static final long PACKETS = 11_000;
    private static final PoolTag FILT = new PoolTag(NdisLwfDriver.FILTER_ALLOC_TAG);

    /** Loads the sample when the replay starts; at the drain, records its modules and unloads it. */
    private static final class LoadsTheSample implements ReplayObserver {
        private NdisLwfDriver driver = new NdisLwfDriver();
        final List<FilterModuleInfo> atDrain = new ArrayList<>();
        long filtAfterUnload = -1;
        int modulesAfterUnload = -1;
        int violations = -1;

        @Override
        public void started(Router router) {
            driver = new NdisLwfDriver();
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry(router.ndis(), "NDISLWF"));
        }

        @Override
        public void drained(Router router) {
            atDrain.addAll(driver.FilterEnumerateAllInstances());
            driver.DriverUnload();
            // The WFP lightweight filter of the Windows 10 profile stays: only the sample's modules must go.
            modulesAfterUnload = (int) router.adapters().stream()
                    .flatMap(adapter -> adapter.lwfModules().stream())
                    .filter(module -> module.name().startsWith(NdisLwfDriver.FILTER_FRIENDLY_NAME))
                    .count();
            filtAfterUnload = router.ndis().poolUsage().diff(FILT);
            violations = router.ndis().verifier().violations().size();
        }
    }

    @Test
    @DisplayName("11,000 packets forwarded by replays of the bundled capture with the sample loaded: each module ends"
            + " with nothing outstanding, unload detaches every module and leaves FILT at 0, every reload starts clean")
    void replaysWithTheSample() throws Exception {
        long forwarded = 0;
        int replays = 0;
        while (forwarded < PACKETS) {
            LoadsTheSample sample = new LoadsTheSample();
            ReplayResult result = new ReplayEngine(RouterConfig.bundled(), PacketSelection.ARRIVING)
                    .replay(CaptureSource.bundled(), null, sample);
            replays++;
            assertTrue(result.clean(), () -> ReplaySummary.verdict(result));
            long thisReplay = result.ip().forwarded();
            assertTrue(thisReplay > 0);
            forwarded += thisReplay;

            assertEquals(2, sample.atDrain.size(), "a module on each of the two interfaces");
            long sends = 0;
            for (FilterModuleInfo module : sample.atDrain) {
                assertEquals(0, module.outstandingSends(), module.name());
                assertEquals(0, module.outstandingReceives(), module.name());
                assertEquals(1, module.restarts(), "a fresh module of a fresh load: " + module.name());
                sends += module.sendsSeen();
            }
            assertEquals(thisReplay, sends, "every forwarded packet left through a module");
            assertEquals(0, sample.modulesAfterUnload);
            assertEquals(0, sample.violations);
            assertEquals(0, sample.filtAfterUnload);
        }
        assertTrue(replays > 1, "loaded again in the same JVM");
    }
}
