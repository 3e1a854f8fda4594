package org.nbl4j.stack.ndis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Bugcheck;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;

/** The module state machine, pause and restart order, and pause accounting (ndis-buffers §6.9). */
class PauseRestartTest {

    @Test
    void pauseGoesTopDownRestartBottomUpAndTrafficFlowsAgain() {
        List<String> log = Stacks.log();
        try (Ndis ndis = Stacks.verifiedNdis()) {
            MemoryMiniport miniport = MemoryMiniport.builder().build();
            TestProtocol protocol = new TestProtocol(ndis, log);
            try (Adapter adapter = Adapter.builder(ndis)
                    .miniport(miniport)
                    .lwf("A", RecordingLwf.driver("A", log))
                    .lwf("B", RecordingLwf.driver("B", log))
                    .build()) {
                assertEquals(List.of("A attach", "B attach", "B restart", "A restart"), log);
                protocol.bindTo(adapter);
                log.clear();
                assertTrue(adapter.pause());
                assertEquals(List.of("A pause", "B pause"), log);
                assertEquals(LwfModuleState.PAUSED, adapter.lwfModuleState(0));
                assertEquals(LwfModuleState.PAUSED, adapter.lwfModuleState(1));
                assertFalse(adapter.running());

                log.clear();
                protocol.send(Stacks.udp4(1, 2, 3, 4));
                assertEquals(List.of("protocol send complete"), log, "NDIS completes a paused protocol's sends");
                assertEquals(
                        NtStatus.NDIS_STATUS_PAUSED,
                        protocol.completed.getFirst().status());
                assertTrue(miniport.receive(Stacks.udp4(1, 2, 3, 4)));
                assertEquals(0, adapter.poll(0, 8), "a paused miniport is not serviced");

                log.clear();
                assertEquals(NtStatus.NDIS_STATUS_SUCCESS, adapter.restart());
                assertEquals(List.of("B restart", "A restart"), log);
                assertEquals(LwfModuleState.RUNNING, adapter.lwfModuleState(0));
                assertEquals(1, adapter.poll(0, 8), "the packet queued while paused is indicated after restart");
                assertEquals(1, protocol.received.size());
            }
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void theDefaultSendHandlerOfAPausedModuleCompletesWithPaused() {
        List<String> log = Stacks.log();
        List<LwfHandle> handles = new ArrayList<>();
        LwfHandlers passThrough = new LwfHandlers() {};
        try (Ndis ndis = Stacks.verifiedNdis()) {
            ManualMiniport miniport = new ManualMiniport();
            TestProtocol protocol = new TestProtocol(ndis, log);
            try (Adapter adapter = Adapter.builder(ndis)
                    .miniport(miniport)
                    .lwf("P", handle -> {
                        handles.add(handle);
                        return passThrough;
                    })
                    .build()) {
                protocol.bindTo(adapter);
                assertTrue(adapter.pause());
                LwfHandle handle = handles.getFirst();
                assertEquals(LwfModuleState.PAUSED, handle.state());
                NetBufferList nbl = protocol.packet(Stacks.udp4(1, 2, 3, 4));
                // What NDIS would do if a send from above reached the paused module (§6.9 table).
                passThrough.sendNetBufferLists(handle, nbl, 0, 0);
                assertEquals(List.of(), miniport.sent);
                assertEquals(
                        NtStatus.NDIS_STATUS_PAUSED,
                        protocol.completed.getFirst().status());
            }
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void pausePendsUntilOwnSendsAreBackAndCompletesExactlyOnce() throws Exception {
        List<String> log = Stacks.log();
        List<OriginatingLwf> modules = new ArrayList<>();
        try (Ndis ndis = Stacks.verifiedNdis()) {
            ManualMiniport miniport = new ManualMiniport();
            try (Adapter adapter = Adapter.builder(ndis)
                    .miniport(miniport)
                    .lwf("O", OriginatingLwf.driver("O", log, modules))
                    .build()) {
                OriginatingLwf origin = modules.getFirst();
                NetBufferList own = origin.send(Stacks.udp4(1, 2, 3, 4), 0);
                CompletableFuture<Boolean> pause = CompletableFuture.supplyAsync(adapter::pause);
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (origin.pauseStatus != NtStatus.NDIS_STATUS_PENDING && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertEquals(LwfModuleState.PAUSING, adapter.lwfModuleState(0));
                assertEquals(NtStatus.NDIS_STATUS_PENDING, origin.pauseStatus);
                assertFalse(pause.isDone(), "NDIS waits for NdisFPauseComplete");

                NetBufferList extra = origin.own(Stacks.udp4(5, 6, 7, 8));
                RuleViolation late =
                        assertThrows(RuleViolation.class, () -> origin.handle().sendNetBufferLists(extra, 0, 0));
                assertEquals(NdisRule.FILTER_ORIGINATE_NOT_ALLOWED, late.rule(), "no new own sends while Pausing");
                extra.free();

                miniport.complete(NtStatus.NDIS_STATUS_SUCCESS, own);
                assertTrue(pause.get(5, TimeUnit.SECONDS));
                assertEquals(1, origin.pauseCompletes.get());
                assertEquals(LwfModuleState.PAUSED, adapter.lwfModuleState(0));

                RuleViolation twice =
                        assertThrows(RuleViolation.class, () -> origin.handle().pauseComplete());
                assertEquals(NdisRule.FILTER_PAUSE_COMPLETE, twice.rule());
            }
            assertEquals(List.of(), ndis.poolUsage().outstanding());
        }
    }

    @Test
    void aPauseThatNeverCompletesIsReportedAfterTheTimeout() {
        List<String> log = Stacks.log();
        List<OriginatingLwf> modules = new ArrayList<>();
        try (Ndis ndis = Ndis.create(VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT))) {
            ManualMiniport miniport = new ManualMiniport();
            try (Adapter adapter = Adapter.builder(ndis)
                    .miniport(miniport)
                    .pauseTimeout(Duration.ofMillis(50))
                    .lwf("O", OriginatingLwf.driver("O", log, modules))
                    .build()) {
                OriginatingLwf origin = modules.getFirst();
                NetBufferList own = origin.send(Stacks.udp4(1, 2, 3, 4), 0);
                assertFalse(adapter.pause());
                Violation violation = ndis.verifier().violations().getFirst();
                assertEquals(NdisRule.FILTER_PAUSE_COMPLETE, violation.rule());
                assertTrue(violation.detail().contains("1 own sends"), violation.detail());
                Bugcheck bugcheck = violation.bugcheck();
                assertEquals(0xC4, bugcheck.code());
                assertEquals(0x92010, bugcheck.parameter1(), "NdisFilterTimedPauseComplete");

                miniport.complete(NtStatus.NDIS_STATUS_SUCCESS, own);
                assertEquals(
                        LwfModuleState.PAUSED, adapter.lwfModuleState(0), "a late NdisFPauseComplete still ends it");
                assertEquals(1, ndis.verifier().violations().size());
            }
            assertEquals(List.of(), ndis.poolUsage().outstanding());
        }
    }

    @Test
    void aPendingRestartWaitsForRestartCompleteAndAFailedOneLeavesThePausedModule() throws Exception {
        List<LwfHandle> handles = new ArrayList<>();
        int[] restartStatus = {NtStatus.NDIS_STATUS_SUCCESS};
        LwfHandlers filter = new LwfHandlers() {
            @Override
            public int restart(LwfHandle handle) {
                if (restartStatus[0] == NtStatus.NDIS_STATUS_PENDING) {
                    Thread.ofVirtual().start(() -> handle.restartComplete(NtStatus.NDIS_STATUS_SUCCESS));
                }
                return restartStatus[0];
            }
        };
        try (Ndis ndis = Stacks.verifiedNdis()) {
            try (Adapter adapter = Adapter.builder(ndis)
                    .miniport(new ManualMiniport())
                    .lwf("R", handle -> {
                        handles.add(handle);
                        return filter;
                    })
                    .build()) {
                assertTrue(adapter.pause());
                restartStatus[0] = NtStatus.NDIS_STATUS_PENDING;
                assertEquals(NtStatus.NDIS_STATUS_SUCCESS, adapter.restart());
                assertEquals(LwfModuleState.RUNNING, handles.getFirst().state());

                assertTrue(adapter.pause());
                restartStatus[0] = NtStatus.NDIS_STATUS_RESOURCES;
                assertEquals(NtStatus.NDIS_STATUS_RESOURCES, adapter.restart());
                assertEquals(LwfModuleState.PAUSED, handles.getFirst().state());
                assertFalse(adapter.running());
            }
            assertEquals(LwfModuleState.DETACHED, handles.getFirst().state());
            Stacks.assertClean(ndis);
        }
    }

    /** A filter whose FilterRestart and FilterPause answer what the test sets, and which originates sends. */
    private static final class ScriptedLwf implements LwfHandlers {
        volatile int restartStatus = NtStatus.NDIS_STATUS_SUCCESS;
        /** With a PENDING restart: the status NdisFRestartComplete gives, after a delay; none: never completed. */
        volatile @Nullable Integer restartCompletion;

        volatile int pauseStatus = NtStatus.NDIS_STATUS_SUCCESS;

        @Nullable
        LwfHandle handle;

        @Override
        public int restart(LwfHandle from) {
            Integer completion = restartCompletion;
            if (restartStatus == NtStatus.NDIS_STATUS_PENDING && completion != null) {
                // Late enough that NDIS already waits: only NdisFRestartComplete's wake-up ends the wait early.
                Thread.ofVirtual().start(() -> {
                    sleep(Duration.ofMillis(100));
                    from.restartComplete(completion);
                });
            }
            return restartStatus;
        }

        @Override
        public int pause(LwfHandle from) {
            return pauseStatus;
        }

        @Override
        public void sendNetBufferListsComplete(LwfHandle from, NetBufferList chain, int sendCompleteFlags) {
            chain.free(); // only its own sends come back to it in these tests
        }

        private static void sleep(Duration duration) {
            try {
                Thread.sleep(duration);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Adapter scriptedAdapter(Ndis ndis, ScriptedLwf filter, Miniport miniport, Duration timeout) {
        return Adapter.builder(ndis)
                .miniport(miniport)
                .pauseTimeout(timeout)
                .lwf("S", handle -> {
                    filter.handle = handle;
                    return filter;
                })
                .build();
    }

    @Test
    @Timeout(20)
    void aPausingModulePassesOnAReceiveFromBelowWithoutComplaint() throws Exception {
        // §6.9: in Pausing a filter must not originate indications, but it may pass on those of the drivers below;
        // FILTER_ORIGINATE_NOT_ALLOWED is about its own NBLs only. (The protocol, paused first, is not reached: NDIS
        // returns the indication down.)
        ScriptedLwf filter = new ScriptedLwf();
        filter.pauseStatus = NtStatus.NDIS_STATUS_PENDING;
        try (Ndis ndis = Ndis.create(VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT));
                ExecutorService pauser = Executors.newSingleThreadExecutor()) {
            MemoryMiniport miniport = MemoryMiniport.builder().build();
            TestProtocol protocol = new TestProtocol(ndis, Stacks.log());
            try (Adapter adapter = scriptedAdapter(ndis, filter, miniport, Duration.ofSeconds(10))) {
                protocol.bindTo(adapter);
                Future<Boolean> pause = pauser.submit(adapter::pause);
                try {
                    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                    while (adapter.lwfModuleState(0) != LwfModuleState.PAUSING && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    assertEquals(LwfModuleState.PAUSING, adapter.lwfModuleState(0));

                    assertTrue(miniport.receive(Stacks.udp4(1, 2, 3, 4)));
                    assertEquals(1, adapter.poll(0, 8));

                    assertEquals(List.of(), ndis.verifier().violations(), "passing others' NBLs on is no origination");
                    assertEquals(0, protocol.received.size());
                } finally {
                    LwfHandle handle = filter.handle;
                    assertNotNull(handle);
                    handle.pauseComplete();
                }
                assertTrue(pause.get(5, TimeUnit.SECONDS));
            }
            protocol.close();
            assertEquals(List.of(), ndis.poolUsage().outstanding());
        }
    }

    @Test
    @Timeout(20)
    void aPendedRestartNeverCompletedFailsWithFilterStateAndTheModuleStaysPaused() {
        ScriptedLwf filter = new ScriptedLwf();
        try (Ndis ndis = Ndis.create(VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT))) {
            try (Adapter adapter = scriptedAdapter(ndis, filter, new ManualMiniport(), Duration.ofMillis(50))) {
                assertTrue(adapter.pause());
                filter.restartStatus = NtStatus.NDIS_STATUS_PENDING;
                assertEquals(NtStatus.NDIS_STATUS_FAILURE, adapter.restart());
                assertEquals(LwfModuleState.PAUSED, adapter.lwfModuleState(0));
                assertFalse(adapter.running());
                Violation violation = ndis.verifier().violations().getFirst();
                assertEquals(NdisRule.FILTER_STATE, violation.rule());
                assertTrue(violation.detail().contains("FilterRestart pended and never completed"), violation.detail());
                assertEquals(1, ndis.verifier().violations().size());
            }
            assertEquals(List.of(), ndis.poolUsage().outstanding());
        }
    }

    @Test
    void aPendedRestartCompletedWithAFailureReturnsItAndTheModuleStaysPaused() {
        ScriptedLwf filter = new ScriptedLwf();
        try (Ndis ndis = Stacks.verifiedNdis()) {
            // The timeout is far longer than the completion's delay: the restart must end when the completion comes.
            try (Adapter adapter = scriptedAdapter(ndis, filter, new ManualMiniport(), Duration.ofSeconds(30))) {
                assertTrue(adapter.pause());
                filter.restartStatus = NtStatus.NDIS_STATUS_PENDING;
                filter.restartCompletion = NtStatus.NDIS_STATUS_RESOURCES;
                long start = System.nanoTime();
                assertEquals(NtStatus.NDIS_STATUS_RESOURCES, adapter.restart());
                assertTrue(
                        Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(15)) < 0,
                        "NdisFRestartComplete wakes the waiting restart");
                assertEquals(LwfModuleState.PAUSED, adapter.lwfModuleState(0));
                assertFalse(adapter.running());
            }
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void anIllegalPauseStatusIsReportedThePauseEndsAndDetachingWithAnOwnSendOutIsALeak() {
        ScriptedLwf filter = new ScriptedLwf();
        try (Ndis ndis = Ndis.create(VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT))) {
            ManualMiniport miniport = new ManualMiniport();
            try (Adapter adapter = scriptedAdapter(ndis, filter, miniport, Duration.ofMillis(50))) {
                LwfHandle handle = filter.handle;
                assertNotNull(handle);
                NetBufferListPool pool = Stacks.dataPool(ndis, "Scrp");
                NetBufferList own = Stacks.packet(pool, Stacks.udp4(1, 2, 3, 4), handle);
                handle.sendNetBufferLists(own, NdisFlags.NDIS_DEFAULT_PORT_NUMBER, 0);
                assertEquals(List.of(own), miniport.sent);

                filter.pauseStatus = NtStatus.NDIS_STATUS_FAILURE;
                assertTrue(adapter.pause(), "NDIS takes the module as Paused");
                assertEquals(LwfModuleState.PAUSED, adapter.lwfModuleState(0));
                Violation illegal = ndis.verifier().violations().getFirst();
                assertEquals(NdisRule.FILTER_PAUSE_COMPLETE, illegal.rule());
                assertTrue(illegal.detail().contains("only SUCCESS or PENDING are legal"), illegal.detail());

                assertTrue(adapter.detachFilter(handle));
                assertEquals(
                        2, ndis.verifier().violations().size(), ndis.verifier().violations()::toString);
                Violation leaked = ndis.verifier().violations().get(1);
                assertEquals(BufferRule.NBL_LEAKED, leaked.rule());
                assertTrue(leaked.detail().contains("detaches with 1 own sends"), leaked.detail());

                miniport.sent.clear();
                own.free();
                pool.close();
            }
        }
    }
}
