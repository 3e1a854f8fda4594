package org.nbl4j.stack.ndis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
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
}
