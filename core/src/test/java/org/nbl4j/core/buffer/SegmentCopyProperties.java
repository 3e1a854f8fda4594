package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.nbl4j.core.buffer.NetBufferModelProperties.assertNoOutstandingAllocations;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.nbl4j.core.buffer.NetBufferModelProperties.ChainSpec;
import org.nbl4j.core.buffer.NetBufferModelProperties.Fixture;
import org.nbl4j.core.buffer.NetBufferModelProperties.Packet;

/**
 * {@link NetBuffer#copyTo} and {@link NetBuffer#copyFrom} against {@link ByteArrayNetBufferModel}, on the random MDL
 * chains of {@link NetBufferModelProperties}: a copy inside the used data and inside the segment moves exactly the
 * model's bytes, whether it lies in one MDL or spans several; any argument out of range throws before a byte moves,
 * so neither the NB (its headroom and tail slack included) nor the segment changes.
 */
class SegmentCopyProperties {
    private static final byte UNTOUCHED = 0x5A;

    /** What is wrong with the arguments of one try, if anything. */
    enum Fault {
        NONE,
        NEGATIVE_OFFSET,
        NEGATIVE_LENGTH,
        PAST_DATA_LENGTH,
        NEGATIVE_SEGMENT_OFFSET,
        PAST_SEGMENT_END,
        READ_ONLY_TARGET
    }

    @Property(tries = 300)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void copyDataToCopiesTheWholeUsedData(
            @ForAll("chains") ChainSpec chain,
            @ForAll @IntRange(max = 1_000_000) int seed,
            @ForAll @IntRange(max = 64) int segmentSlack) {
        try (Ndis ndis = Ndis.create()) {
            Fixture fixture = new Fixture(ndis, seed);
            Packet packet = fixture.build(chain);
            byte[] used = packet.model.usedBytes();
            byte[] target = new byte[used.length + segmentSlack];
            Arrays.fill(target, UNTOUCHED);
            assertEquals(used.length, packet.nb.copyDataTo(MemorySegment.ofArray(target)));
            byte[] expected = new byte[target.length];
            Arrays.fill(expected, UNTOUCHED);
            System.arraycopy(used, 0, expected, 0, used.length);
            assertArrayEquals(expected, target, "the used bytes at the start, nothing after them");
            if (used.length > 0) {
                assertThrows(
                        IndexOutOfBoundsException.class,
                        () -> packet.nb.copyDataTo(MemorySegment.ofArray(new byte[used.length - 1])));
            }
            fixture.assertMatchesModel(packet, "copyDataTo never changes the NB");
            fixture.releaseEverything(packet, null);
            assertNoOutstandingAllocations(ndis);
        }
    }

    @Property(tries = 600)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void copyToMatchesTheModelOrChangesNothing(
            @ForAll("chains") ChainSpec chain,
            @ForAll @IntRange(max = 1_000_000) int offsetSeed,
            @ForAll @IntRange(max = 1_000_000) int lengthSeed,
            @ForAll @IntRange(max = 64) int segmentOffset,
            @ForAll @IntRange(max = 64) int segmentSlack,
            @ForAll("faults") Fault fault,
            @ForAll boolean checked) {
        try (Ndis ndis = checked ? Ndis.createChecked() : Ndis.create()) {
            Fixture fixture = new Fixture(ndis, offsetSeed);
            Packet packet = fixture.build(chain);
            Range range = Range.of(packet, offsetSeed, lengthSeed, segmentOffset, segmentSlack, fault);
            byte[] target = new byte[range.segmentSize];
            Arrays.fill(target, UNTOUCHED);
            MemorySegment segment = MemorySegment.ofArray(target);
            if (fault == Fault.READ_ONLY_TARGET) {
                segment = segment.asReadOnly();
            }
            MemorySegment into = segment;
            if (fault == Fault.NONE) {
                assertEquals(range.length, packet.nb.copyTo(range.offset, into, range.segmentOffset, range.length));
                byte[] expected = new byte[range.segmentSize];
                Arrays.fill(expected, UNTOUCHED);
                System.arraycopy(packet.model.usedBytes(), range.offset, expected, range.segmentOffset, range.length);
                assertArrayEquals(expected, target, "the model's bytes, and nothing around them");
                Statistics.label("range").collect(range.spansMdls(packet) ? "spans MDLs" : "one MDL");
            } else {
                Class<? extends RuntimeException> expected = fault == Fault.READ_ONLY_TARGET
                        ? IllegalArgumentException.class
                        : IndexOutOfBoundsException.class;
                assertThrows(expected, () -> packet.nb.copyTo(range.offset, into, range.segmentOffset, range.length));
                byte[] untouched = new byte[range.segmentSize];
                Arrays.fill(untouched, UNTOUCHED);
                assertArrayEquals(untouched, target, "a refused copy writes nothing");
            }
            fixture.assertMatchesModel(packet, "copyTo never changes the NB");
            fixture.releaseEverything(packet, null);
            assertNoOutstandingAllocations(ndis);
        }
        Statistics.label("range").coverage(coverage -> {
            coverage.check("spans MDLs").count(count -> count > 0);
            coverage.check("one MDL").count(count -> count > 0);
        });
    }

    @Property(tries = 600)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void copyFromMatchesTheModelOrChangesNothing(
            @ForAll("chains") ChainSpec chain,
            @ForAll @IntRange(max = 1_000_000) int offsetSeed,
            @ForAll @IntRange(max = 1_000_000) int lengthSeed,
            @ForAll @IntRange(max = 64) int segmentOffset,
            @ForAll @IntRange(max = 64) int segmentSlack,
            @ForAll("faults") Fault fault,
            @ForAll boolean checked) {
        // A read-only source is fine: copyFrom only reads it.
        Fault applied = fault == Fault.READ_ONLY_TARGET ? Fault.NONE : fault;
        try (Ndis ndis = checked ? Ndis.createChecked() : Ndis.create()) {
            Fixture fixture = new Fixture(ndis, offsetSeed);
            Packet packet = fixture.build(chain);
            Range range = Range.of(packet, offsetSeed, lengthSeed, segmentOffset, segmentSlack, applied);
            byte[] source = new byte[range.segmentSize];
            new Random(lengthSeed).nextBytes(source);
            MemorySegment from = fault == Fault.READ_ONLY_TARGET
                    ? MemorySegment.ofArray(source).asReadOnly()
                    : MemorySegment.ofArray(source);
            if (applied == Fault.NONE) {
                assertEquals(range.length, packet.nb.copyFrom(range.offset, from, range.segmentOffset, range.length));
                packet.model.write(
                        range.offset,
                        Arrays.copyOfRange(source, range.segmentOffset, range.segmentOffset + range.length));
                Statistics.label("range").collect(range.spansMdls(packet) ? "spans MDLs" : "one MDL");
            } else {
                assertThrows(
                        IndexOutOfBoundsException.class,
                        () -> packet.nb.copyFrom(range.offset, from, range.segmentOffset, range.length));
            }
            fixture.assertMatchesModel(packet, "after copyFrom (" + applied + ")");
            // The bytes written must also be readable back through the other direction.
            if (applied == Fault.NONE) {
                byte[] back = new byte[range.length];
                packet.nb.copyTo(range.offset, MemorySegment.ofArray(back), 0, range.length);
                assertArrayEquals(
                        Arrays.copyOfRange(source, range.segmentOffset, range.segmentOffset + range.length), back);
            }
            fixture.releaseEverything(packet, null);
            assertNoOutstandingAllocations(ndis);
        }
        Statistics.label("range").coverage(coverage -> {
            coverage.check("spans MDLs").count(count -> count > 0);
            coverage.check("one MDL").count(count -> count > 0);
        });
    }

    /** The same random chains as the model properties. */
    @Provide
    Arbitrary<ChainSpec> chains() {
        return new NetBufferModelProperties().chains();
    }

    /**
     * Half the tries without a fault: the coverage check needs valid copies that span MDLs, and with the seven faults
     * drawn evenly some seeds gave none in 600 tries.
     */
    @Provide
    Arbitrary<Fault> faults() {
        Fault[] faults = Fault.values();
        @SuppressWarnings("unchecked")
        Tuple.Tuple2<Integer, Fault>[] weighted = new Tuple.Tuple2[faults.length];
        for (int i = 0; i < faults.length; i++) {
            weighted[i] = Tuple.of(faults[i] == Fault.NONE ? faults.length - 1 : 1, faults[i]);
        }
        return Arbitraries.frequency(weighted);
    }

    /**
     * The arguments of one try: a valid range inside the used data and a segment that holds it, then spoiled as the
     * fault says.
     */
    record Range(int offset, int length, int segmentOffset, int segmentSize) {
        static Range of(Packet packet, int offsetSeed, int lengthSeed, int segmentOffset, int slack, Fault fault) {
            int dataLength = packet.nb.dataLength();
            int offset = offsetSeed % (dataLength + 1);
            int length = lengthSeed % (dataLength - offset + 1);
            int segmentSize = segmentOffset + length + slack;
            return switch (fault) {
                case NONE, READ_ONLY_TARGET -> new Range(offset, length, segmentOffset, segmentSize);
                case NEGATIVE_OFFSET -> new Range(-1 - offset, length, segmentOffset, segmentSize);
                case NEGATIVE_LENGTH -> new Range(offset, -1 - length, segmentOffset, segmentSize);
                // Past DataLength, though perhaps still inside the chain's tail slack: the old lenient walk wrote
                // there.
                case PAST_DATA_LENGTH ->
                    new Range(offset, dataLength - offset + 1 + slack % 4, segmentOffset, segmentSize + 8);
                case NEGATIVE_SEGMENT_OFFSET -> new Range(offset, length, -1 - segmentOffset, segmentSize);
                case PAST_SEGMENT_END -> new Range(offset, length + 1, segmentOffset, segmentOffset + length);
            };
        }

        /** Whether the range's bytes lie in more than one MDL, so the copy walks the chain. */
        boolean spansMdls(Packet packet) {
            return packet.model.partialMdlSizes(offset, length).size() > 1;
        }
    }
}
