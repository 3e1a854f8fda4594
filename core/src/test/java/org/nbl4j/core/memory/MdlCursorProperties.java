package org.nbl4j.core.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.core.verify.VerifierSettings;

/**
 * {@link MdlCursor} against a plain model: the byte array that concatenates the chain's MDLs. Whatever the chain
 * (empty MDLs included), the offset (past the chain's end too) and the length, the runs the cursor hands out must
 * concatenate to the model's slice, each lie inside its MDL and never be empty, and the position and
 * {@link MdlCursor#remaining()} must be what the model says.
 */
class MdlCursorProperties {
    private static final int MAX_MDL_BYTES = 200;

    /** Seek, then {@code next()} to the end: the runs are the model's slice, in order, each inside its MDL. */
    @Property(tries = 1000)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void runsConcatenateToTheModelSlice(
            @ForAll("chains") List<byte[]> contents,
            @ForAll @IntRange(max = 7 * MAX_MDL_BYTES) int offset,
            @ForAll @IntRange(max = 7 * MAX_MDL_BYTES) int length) {
        try (Chain chain = new Chain(contents)) {
            byte[] model = chain.model;
            MdlCursor runs = new MdlCursor();
            ByteArrayOutputStream handedOut = new ByteArrayOutputStream();
            boolean first = true;
            for (boolean more = runs.seek(chain.head, offset, length); more; more = runs.next()) {
                if (first) {
                    assertPositionedAt(chain, runs, offset);
                    first = false;
                }
                handedOut.writeBytes(checkedRun(runs));
            }
            int start = Math.min(offset, model.length);
            int end = (int) Math.min((long) offset + length, model.length);
            byte[] expected = Arrays.copyOfRange(model, start, Math.max(start, end));
            assertArrayEquals(expected, handedOut.toByteArray(), "the runs are the model's slice");
            assertEquals(length - expected.length, runs.remaining(), "what the chain did not hold");
            assertEquals(0, runs.length(), "no run after the last");
            Statistics.label("walk")
                    .collect(offset >= model.length ? "past the end" : end < offset + length ? "cut short" : "whole");
        }
        Statistics.label("walk").coverage(coverage -> {
            coverage.check("past the end").count(count -> count > 0);
            coverage.check("cut short").count(count -> count > 0);
            coverage.check("whole").count(count -> count > 0);
        });
    }

    /**
     * A seek hands out nothing for length 0 but still tells the position: the non-empty MDL holding the offset and
     * where in it, or {@code null} and how far past the chain's end the offset lies.
     */
    @Property(tries = 500)
    void seekWithoutLengthTellsThePosition(
            @ForAll("chains") List<byte[]> contents, @ForAll @IntRange(max = 7 * MAX_MDL_BYTES) int offset) {
        try (Chain chain = new Chain(contents)) {
            MdlCursor position = new MdlCursor();
            assertFalse(position.seek(chain.head, offset, 0), "length 0: no run");
            assertEquals(0, position.length());
            assertPositionedAt(chain, position, offset);
            assertFalse(position.next(), "nothing after it either");
        }
    }

    /**
     * Consuming runs in random bites with {@code advance} hands out the same bytes as whole runs: how two cursors walk
     * two chains in step.
     */
    @Property(tries = 500)
    void advancingInBitesHandsOutTheSameBytes(
            @ForAll("chains") List<byte[]> contents,
            @ForAll @IntRange(max = 7 * MAX_MDL_BYTES) int offset,
            @ForAll @IntRange(max = 7 * MAX_MDL_BYTES) int length,
            @ForAll @IntRange(min = 1, max = 50) int bite) {
        try (Chain chain = new Chain(contents)) {
            MdlCursor runs = new MdlCursor();
            ByteArrayOutputStream handedOut = new ByteArrayOutputStream();
            boolean more = runs.seek(chain.head, offset, length);
            while (more) {
                int taken = Math.min(bite, runs.length());
                handedOut.writeBytes(Arrays.copyOf(checkedRun(runs), taken));
                more = runs.advance(taken);
            }
            int start = Math.min(offset, chain.model.length);
            int end = (int) Math.min((long) offset + length, chain.model.length);
            assertArrayEquals(Arrays.copyOfRange(chain.model, start, Math.max(start, end)), handedOut.toByteArray());
        }
    }

    /** Negative offsets and lengths, and advancing by more than the run, are argument errors. */
    @Property(tries = 50)
    void badArgumentsAreRejected(@ForAll("chains") List<byte[]> contents) {
        try (Chain chain = new Chain(contents)) {
            MdlCursor runs = new MdlCursor();
            assertThrows(IllegalArgumentException.class, () -> runs.seek(chain.head, -1, 1));
            assertThrows(IllegalArgumentException.class, () -> runs.seek(chain.head, 0, -1));
            if (runs.seek(chain.head, 0, Long.MAX_VALUE)) {
                int length = runs.length();
                assertThrows(IllegalArgumentException.class, () -> runs.advance(length + 1));
                assertThrows(IllegalArgumentException.class, () -> runs.advance(0));
            } else {
                assertThrows(IllegalStateException.class, runs::segment);
            }
        }
    }

    /** The current run's bytes, after checking that it is not empty and lies inside its MDL. */
    private static byte[] checkedRun(MdlCursor runs) {
        Mdl mdl = runs.mdl();
        assertNotNull(mdl, "a run has an MDL");
        assertTrue(runs.length() > 0, "runs are never empty");
        assertTrue(runs.mdlOffset() >= 0 && runs.mdlOffset() + runs.length() <= mdl.byteCount(), "inside its MDL");
        assertSame(mdl.buffer(), runs.segment());
        assertEquals(mdl.bufferOffset() + runs.mdlOffset(), runs.segmentOffset());
        return runs.segment().asSlice(runs.segmentOffset(), runs.length()).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The model's position for {@code offset}: the first non-empty MDL whose bytes include it. */
    private static void assertPositionedAt(Chain chain, MdlCursor cursor, long offset) {
        long start = 0;
        for (Mdl mdl : chain.mdls) {
            if (offset < start + mdl.byteCount()) {
                assertSame(mdl, cursor.mdl(), "the MDL holding offset " + offset);
                assertEquals(offset - start, cursor.mdlOffset());
                return;
            }
            start += mdl.byteCount();
        }
        assertNull(cursor.mdl(), "past the chain's end");
        assertEquals(offset - start, cursor.mdlOffset(), "how far past the end");
    }

    /** 1 - 6 MDLs of 0 - 200 random bytes, zero-length ones often. */
    @Provide
    Arbitrary<List<byte[]>> chains() {
        Arbitrary<byte[]> nonEmpty =
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(MAX_MDL_BYTES);
        Arbitrary<byte[]> mdl =
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(new byte[0])), Tuple.of(4, nonEmpty));
        return mdl.list().ofMinSize(1).ofMaxSize(6);
    }

    /** An MDL chain over native memory with the given contents, and its model. */
    private static final class Chain implements AutoCloseable {
        final TaggedMemory memory = new TaggedMemory(false, new Verifier(VerifierSettings.off()).memoryWatch());
        final MdlPool pool = new MdlPool(memory);
        final Arena arena = Arena.ofConfined();
        final List<Mdl> mdls = new ArrayList<>();
        final byte[] model;
        final @Nullable Mdl head;

        Chain(List<byte[]> contents) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            Mdl tail = null;
            for (byte[] bytes : contents) {
                MemorySegment buffer = arena.allocate(Math.max(1, bytes.length));
                MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, bytes.length);
                Mdl mdl = pool.allocate(buffer, bytes.length);
                if (tail != null) {
                    tail.setNext(mdl);
                }
                tail = mdl;
                mdls.add(mdl);
                all.writeBytes(bytes);
            }
            model = all.toByteArray();
            head = mdls.isEmpty() ? null : mdls.getFirst();
        }

        @Override
        public void close() {
            for (Mdl mdl : mdls) {
                mdl.setNext(null);
                pool.free(mdl);
            }
            arena.close();
            memory.close();
        }
    }
}
