package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.verify.VerifierFixture.dataPool;
import static org.nbl4j.core.verify.VerifierFixture.frame;
import static org.nbl4j.core.verify.VerifierFixture.line;
import static org.nbl4j.core.verify.VerifierFixture.withData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.VerifierFixture.FakeClock;
import org.nbl4j.junit.LeaksOnPurpose;
import org.nbl4j.junit.NdisVerifierExtension;
import org.nbl4j.junit.ViolatesOnPurpose;

/**
 * The verifier's Flight Recorder events, recorded to a file and read back. Set {@code -Dnbl4j.jfr.out=<file>} to keep
 * the recording of {@link #lifecycleEvents} for {@code jfr print --events nbl4j.NblAllocate <file>}.
 */
class VerifierJfrTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("VfJr");
    private static final List<Class<? extends jdk.jfr.Event>> EVENTS = List.of(
            NblEvents.NblAllocate.class,
            NblEvents.NblClone.class,
            NblEvents.NblFree.class,
            NblEvents.NblSend.class,
            NblEvents.NblComplete.class,
            NblEvents.NblInject.class,
            NblEvents.NblViolation.class,
            NblEvents.NblLeak.class);

    @TempDir
    Path directory;

    /**
     * Records {@code work} and returns this thread's nbl4j events, in order.
     *
     * @param keep whether to copy the recording to {@code -Dnbl4j.jfr.out}, if set
     */
    private List<RecordedEvent> record(boolean keep, Runnable work) throws IOException {
        Path file = directory.resolve("nbl4j.jfr");
        try (Recording recording = new Recording()) {
            EVENTS.forEach(recording::enable);
            recording.start();
            work.run();
            recording.stop();
            recording.dump(file);
        }
        String out = System.getProperty("nbl4j.jfr.out");
        if (keep && out != null) {
            Files.copy(file, Path.of(out), StandardCopyOption.REPLACE_EXISTING);
        }
        String thread = Thread.currentThread().getName();
        return RecordingFile.readAllEvents(file).stream()
                .filter(event -> event.getEventType().getName().startsWith("nbl4j."))
                .filter(event -> event.getThread() != null
                        && thread.equals(event.getThread().getJavaName()))
                .sorted((a, b) -> a.getStartTime().compareTo(b.getStartTime()))
                .toList();
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream()
                .filter(event -> event.getEventType().getName().equals(name))
                .toList();
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name) {
        List<RecordedEvent> found = named(events, name);
        assertEquals(1, found.size(), name + " in " + events);
        return found.getFirst();
    }

    @Test
    @DisplayName("allocate, clone, send, complete, inject, free: one event each, with tag, description, holder, sites")
    void lifecycleEvents() throws IOException {
        FakeClock clock = new FakeClock();
        int[] lines = new int[4];
        List<RecordedEvent> events = record(true, () -> {
            try (Ndis ndis = verification.create(VerifierSettings.full()
                    .withDriverCode(VerifierJfrTest.class.getName())
                    .withNanoClock(clock))) {
                NetBufferListPool pool = dataPool(ndis, TAG);
                lines[0] = line() + 1;
                NetBufferList nbl = pool.allocateNetBufferList(0, 0);
                assertNotNull(nbl);
                withData(nbl);
                lines[1] = line() + 1;
                NetBufferList clone = nbl.allocateClone(null, null, 0);
                assertNotNull(clone);
                lines[2] = line() + 1;
                nbl.handOff(OwnerState.SENT, "miniport");
                clock.advance(Duration.ofMillis(5));
                lines[3] = line() + 1;
                nbl.handOff(OwnerState.OWNED, null);
                clone.handOff(OwnerState.INJECTED, "FwpsInjectNetworkSendAsync0");
                clock.advance(Duration.ofMillis(7));
                clone.handOff(OwnerState.OWNED, null);
                clone.freeClone(0);
                nbl.free();
            }
        });
        String method = "lambda$lifecycleEvents$0";

        RecordedEvent allocate = only(events, "nbl4j.NblAllocate");
        assertEquals("VfJr", allocate.getString("tag"));
        assertEquals("NET_BUFFER_LIST[ALLOCATED, pool VfJr]", allocate.getString("description"));
        assertEquals(frame(VerifierJfrTest.class, method, lines[0]), allocate.getString("site"));
        assertEquals("nbl4j", allocate.getEventType().getCategoryNames().getFirst());
        assertEquals("NBL Allocate", allocate.getEventType().getLabel());
        assertNotNull(allocate.getEventType().getDescription());

        RecordedEvent clone = only(events, "nbl4j.NblClone");
        assertEquals("NDnl", clone.getString("tag"));
        assertEquals("NET_BUFFER_LIST[CLONE, pool NDnl]", clone.getString("description"));
        assertEquals(frame(VerifierJfrTest.class, method, lines[1]), clone.getString("site"));

        RecordedEvent send = only(events, "nbl4j.NblSend");
        assertEquals("miniport", send.getString("holder"));
        assertEquals(frame(VerifierJfrTest.class, method, lines[2]), send.getString("site"));
        assertEquals(allocate.getString("site"), send.getString("allocationSite"));

        RecordedEvent inject = only(events, "nbl4j.NblInject");
        assertEquals("FwpsInjectNetworkSendAsync0", inject.getString("holder"));
        assertEquals("NDnl", inject.getString("tag"));

        List<RecordedEvent> completes = named(events, "nbl4j.NblComplete");
        assertEquals(2, completes.size());
        RecordedEvent sendComplete = completes.getFirst();
        assertEquals("SENT", sendComplete.getString("from"));
        assertEquals("miniport", sendComplete.getString("previousHolder"));
        assertEquals("its allocator", sendComplete.getString("holder"));
        assertEquals(Duration.ofMillis(5), sendComplete.getDuration("inFlight"));
        assertEquals(frame(VerifierJfrTest.class, method, lines[3]), sendComplete.getString("site"));
        RecordedEvent injectComplete = completes.get(1);
        assertEquals("INJECTED", injectComplete.getString("from"));
        assertEquals(Duration.ofMillis(7), injectComplete.getDuration("inFlight"));

        List<RecordedEvent> frees = named(events, "nbl4j.NblFree");
        assertEquals(2, frees.size());
        assertTrue(frees.getFirst().getBoolean("clone"));
        assertFalse(frees.get(1).getBoolean("clone"));
        assertEquals(allocate.getString("site"), frees.get(1).getString("allocationSite"));

        assertEquals(List.of(), named(events, "nbl4j.NblViolation"));
        assertEquals(List.of(), named(events, "nbl4j.NblLeak"));
    }

    @Test
    @DisplayName("a KeRaiseIrql to a lower level, which belongs to no NDIS instance, is a violation event too")
    void violationEventOfAnUnownedRule() throws IOException {
        List<RecordedEvent> events = record(
                false,
                () -> Irql.runAt(Irql.DISPATCH_LEVEL, () -> {
                    RuleViolation thrown = assertThrows(RuleViolation.class, () -> Irql.raise(Irql.PASSIVE_LEVEL));
                    assertEquals(BufferRule.IRQL_BAD_RAISE_OR_LOWER, thrown.rule());
                }));

        RecordedEvent violation = only(events, "nbl4j.NblViolation");
        assertEquals("IRQL_BAD_RAISE_OR_LOWER", violation.getString("rule"));
        assertTrue(
                violation.getString("detail").contains("KeRaiseIrql to PASSIVE_LEVEL"), violation.getString("detail"));
    }

    @Test
    @DisplayName("a violation event carries rule, section, bugcheck, detail, site and the first free")
    @ViolatesOnPurpose
    void violationEvent() throws IOException {
        int[] lines = new int[2];
        List<RecordedEvent> events = record(false, () -> {
            try (Ndis ndis = verification.create(VerifierSettings.full()
                    .withDriverCode(VerifierJfrTest.class.getName())
                    .withPolicy(ViolationPolicy.COLLECT))) {
                NetBufferList nbl = dataPool(ndis, TAG).allocateNetBufferList(0, 0);
                assertNotNull(nbl);
                lines[0] = line() + 1;
                nbl.free();
                lines[1] = line() + 1;
                nbl.free();
            }
        });
        String method = "lambda$violationEvent$0";

        RecordedEvent violation = only(events, "nbl4j.NblViolation");
        assertEquals("NBL_DOUBLE_FREE", violation.getString("rule"));
        assertEquals("ndis-buffers §4.10", violation.getString("section"));
        assertEquals("BAD_POOL_CALLER (c2) 7, 0", violation.getString("bugcheck"));
        assertEquals(
                "NdisFreeNetBufferList on NET_BUFFER_LIST[ALLOCATED, pool VfJr], already freed",
                violation.getString("detail"));
        assertEquals(frame(VerifierJfrTest.class, method, lines[1]), violation.getString("site"));
        assertEquals(frame(VerifierJfrTest.class, method, lines[0]), violation.getString("firstFreeSite"));
        assertEquals("VfJr", violation.getString("tag"));
        assertEquals(1, named(events, "nbl4j.NblFree").size(), "the refused free emitted no free event");
    }

    @Test
    @DisplayName("leaks() and a pool close with NBLs out emit one leak event per outstanding tracked buffer")
    @LeaksOnPurpose
    @ViolatesOnPurpose
    void leakEvents() throws IOException {
        FakeClock clock = new FakeClock();
        int[] line = new int[1];
        List<RecordedEvent> events = record(false, () -> {
            try (Ndis ndis = verification.create(VerifierSettings.full()
                    .withDriverCode(VerifierJfrTest.class.getName())
                    .withPolicy(ViolationPolicy.COLLECT)
                    .withNanoClock(clock))) {
                NetBufferListPool pool = dataPool(ndis, TAG);
                NetBufferList[] leaked = new NetBufferList[2];
                for (int i = 0; i < leaked.length; i++) {
                    line[0] = line() + 1;
                    leaked[i] = pool.allocateNetBufferList(0, 0);
                }
                assertNotNull(leaked[1]);
                leaked[1].handOff(OwnerState.SENT, "miniport");
                clock.advance(Duration.ofSeconds(3));
                ndis.verifier().leaks();
                pool.close();
            }
        });

        List<RecordedEvent> leaks = named(events, "nbl4j.NblLeak");
        assertEquals(6, leaks.size(), "two from leaks(), two from the pool's close, two from the NDIS shutdown");
        assertEquals(
                2,
                leaks.stream()
                        .filter(e -> "Verifier.leaks()".equals(e.getString("occasion")))
                        .count());
        assertEquals(
                2,
                leaks.stream()
                        .filter(e -> "NdisFreeNetBufferListPool VfJr".equals(e.getString("occasion")))
                        .count());
        String site = frame(VerifierJfrTest.class, "lambda$leakEvents$0", line[0]);
        assertTrue(leaks.stream().allMatch(e -> site.equals(e.getString("allocationSite"))));
        assertTrue(leaks.stream().allMatch(e -> "VfJr".equals(e.getString("tag"))));
        RecordedEvent sent = leaks.stream()
                .filter(e -> "SENT".equals(e.getString("state")))
                .findFirst()
                .orElseThrow();
        assertEquals("miniport", sent.getString("holder"));
        assertEquals(Duration.ofSeconds(3), sent.getDuration("held"));
        List<RecordedEvent> violations = named(events, "nbl4j.NblViolation");
        assertEquals(2, violations.size(), "the pool's close, then the NDIS shutdown");
        assertEquals("NBL_LEAKED", violations.get(0).getString("rule"));
        assertEquals("BUGCODE_NDIS_DRIVER (7c) 27, 1", violations.get(0).getString("bugcheck"));
        assertEquals("LEAKED_AT_SHUTDOWN", violations.get(1).getString("rule"));
        assertEquals(
                "DRIVER_VERIFIER_DETECTED_VIOLATION (c4) 62, 2",
                violations.get(1).getString("bugcheck"));
    }

    @Test
    @DisplayName("with the verifier OFF, or a buffer not sampled, nothing is emitted")
    void nothingWhenOffOrUnsampled() throws IOException {
        List<RecordedEvent> events = record(false, () -> {
            for (VerifierSettings settings : List.of(
                    VerifierSettings.off(),
                    VerifierSettings.standard()
                            .withDriverCode(VerifierJfrTest.class.getName())
                            .withSamplingInterval(Integer.MAX_VALUE))) {
                try (Ndis ndis = verification.create(settings)) {
                    NetBufferListPool pool = dataPool(ndis, TAG);
                    for (int i = 0; i < 4; i++) {
                        NetBufferList nbl = pool.allocateNetBufferList(0, 0);
                        assertNotNull(nbl);
                        nbl.handOff(OwnerState.SENT, "miniport");
                        nbl.handOff(OwnerState.OWNED, null);
                        nbl.free();
                    }
                    ndis.verifier().leaks();
                }
            }
        });

        assertEquals(List.of(), events);
    }
}
