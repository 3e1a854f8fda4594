package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.verify.VerifierFixture.dataPool;
import static org.nbl4j.core.verify.VerifierFixture.first;
import static org.nbl4j.core.verify.VerifierFixture.withData;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlPool;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.junit.NdisVerifierExtension;
import org.nbl4j.junit.ViolatesOnPurpose;

/**
 * One way to break a rule, seen through the Java API: a state error follows the policy and is always recorded and
 * emitted; an argument error is recorded and thrown whatever the policy and level.
 */
class RuleKindsTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("VfKd");

    @TempDir
    Path directory;

    /** A fragment of a 16-byte packet made with DataOffsetDelta 4: freeing it with another delta breaks §5.3. */
    private static NetBufferList fragmentWithDelta4(NetBufferList original) {
        NetBufferList fragment = original.allocateFragment(null, null, 0, 100, 4, 0, 0);
        assertNotNull(fragment);
        return fragment;
    }

    /** The {@code nbl4j.NblViolation} events {@code work} emits on this thread. */
    private List<RecordedEvent> violationEvents(Runnable work) throws IOException {
        Path file = directory.resolve("violations.jfr");
        try (Recording recording = new Recording()) {
            recording.enable(NblEvents.NblViolation.class);
            recording.start();
            work.run();
            recording.stop();
            recording.dump(file);
        }
        String thread = Thread.currentThread().getName();
        return RecordingFile.readAllEvents(file).stream()
                .filter(event -> event.getEventType().getName().equals("nbl4j.NblViolation"))
                .filter(event -> event.getThread() != null
                        && thread.equals(event.getThread().getJavaName()))
                .toList();
    }

    @Test
    @DisplayName("§5.3 FRAGMENT_DELTA_MISMATCH is a state error: under COLLECT it is recorded, emitted, and refused")
    @ViolatesOnPurpose
    void fragmentDeltaMismatchIsCollected() throws IOException {
        try (Ndis ndis = verification.create(VerifierSettings.standard().withPolicy(ViolationPolicy.COLLECT))) {
            NetBufferList original = withData(dataPool(ndis, TAG).allocateNetBufferList(0, 0));
            NetBufferList fragment = fragmentWithDelta4(original);

            List<RecordedEvent> events = violationEvents(() -> assertDoesNotThrow(() -> fragment.freeFragment(10, 0)));

            List<Violation> violations = ndis.verifier().violations();
            assertEquals(1, violations.size(), violations.toString());
            assertEquals(
                    BufferRule.FRAGMENT_DELTA_MISMATCH, violations.getFirst().rule());
            assertEquals(
                    "allocated with 4, freed with 10", violations.getFirst().detail());
            assertEquals(1, events.size(), events.toString());
            assertEquals("FRAGMENT_DELTA_MISMATCH", events.getFirst().getString("rule"));
            assertTrue(fragment.isAllocated(), "the free with the wrong delta was refused");

            fragment.freeFragment(4, 0);
            original.free();
        }
    }

    @Test
    @DisplayName("§5.3 FRAGMENT_DELTA_MISMATCH under LOG: recorded, logged at WARNING with the report, refused")
    @ViolatesOnPurpose
    void fragmentDeltaMismatchIsLogged() {
        Logger logger = Logger.getLogger(Verifier.class.getName());
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord logRecord) {
                logged.add(logRecord);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(handler);
        try (Ndis ndis = verification.create(VerifierSettings.standard().withPolicy(ViolationPolicy.LOG))) {
            NetBufferList original = withData(dataPool(ndis, TAG).allocateNetBufferList(0, 0));
            NetBufferList fragment = fragmentWithDelta4(original);

            assertDoesNotThrow(() -> fragment.freeFragment(10, 0));

            assertEquals(
                    List.of(BufferRule.FRAGMENT_DELTA_MISMATCH),
                    ndis.verifier().violations().stream().map(Violation::rule).toList());
            assertTrue(
                    logged.stream()
                            .anyMatch(logRecord -> logRecord.getLevel() == java.util.logging.Level.WARNING
                                    && logRecord
                                            .getMessage()
                                            .startsWith("FRAGMENT_DELTA_MISMATCH (ndis-buffers §5.3)")),
                    logged.toString());
            assertTrue(fragment.isAllocated(), "the free with the wrong delta was refused");

            fragment.freeFragment(4, 0);
            original.free();
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    @DisplayName("§3.4 NB_ADVANCE_BEYOND_DATA is an argument error: thrown even under COLLECT, and recorded")
    void argumentErrorThrowsUnderCollect() throws IOException {
        try (Ndis ndis = verification.create(VerifierSettings.standard().withPolicy(ViolationPolicy.COLLECT))) {
            NetBufferList nbl = withData(dataPool(ndis, TAG).allocateNetBufferList(0, 0));
            NetBuffer nb = first(nbl);

            List<RecordedEvent> events = violationEvents(() -> {
                RuleViolation thrown = assertThrows(RuleViolation.class, () -> nb.advance(17, false, null));
                assertEquals(BufferRule.NB_ADVANCE_BEYOND_DATA, thrown.rule());
                assertEquals(thrown.violation(), ndis.verifier().violations().getFirst());
            });

            assertEquals(1, ndis.verifier().violations().size());
            assertEquals(1, events.size(), events.toString());
            assertEquals("NB_ADVANCE_BEYOND_DATA", events.getFirst().getString("rule"));
            assertEquals(16, nb.dataLength(), "nothing changed");
            nbl.free();
        }
    }

    @Test
    @DisplayName("§4.5 CONTEXT_OVER_RELEASE is an argument error: thrown with the verifier OFF and COLLECT, recorded")
    void argumentErrorThrowsWithTheVerifierOff() {
        try (Ndis ndis = verification.create(VerifierSettings.off().withPolicy(ViolationPolicy.COLLECT))) {
            NetBufferList nbl = withData(dataPool(ndis, TAG).allocateNetBufferList(0, 0));

            RuleViolation thrown = assertThrows(RuleViolation.class, () -> nbl.freeContext(8));

            assertEquals(BufferRule.CONTEXT_OVER_RELEASE, thrown.rule());
            assertEquals(List.of(thrown.violation()), ndis.verifier().violations());
            nbl.free();
        }
    }

    @Test
    @DisplayName("§2.5 MDL_DOUBLE_FREE is a state error: under COLLECT the second IoFreeMdl is recorded and refused")
    @ViolatesOnPurpose
    void mdlDoubleFreeIsCollected() {
        try (Ndis ndis = verification.create(VerifierSettings.off().withPolicy(ViolationPolicy.COLLECT));
                Arena arena = Arena.ofConfined()) {
            Mdl mdl = ndis.allocateMdl(arena.allocate(64), 64);
            ndis.freeMdl(mdl);
            long freesBefore =
                    ndis.poolUsage().usage(MdlPool.MDL_TAG).orElseThrow().frees();

            assertDoesNotThrow(() -> ndis.freeMdl(mdl));

            assertEquals(
                    List.of(BufferRule.MDL_DOUBLE_FREE),
                    ndis.verifier().violations().stream().map(Violation::rule).toList());
            assertEquals(
                    freesBefore,
                    ndis.poolUsage().usage(MdlPool.MDL_TAG).orElseThrow().frees(),
                    "the second free was not counted");
        }
    }
}
