package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MdlOrigin;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.PoolUsage;
import org.nbl4j.core.memory.PoolUsageSnapshot;
import org.nbl4j.core.status.NtStatus;

/**
 * Model-based properties of the NET_BUFFER data space: random MDL chains and random sequences of retreats, advances,
 * clones, fragments, reassemblies, copies and writes, checked step by step against {@link ByteArrayNetBufferModel}.
 *
 * <p><b>The model.</b> An NB is modelled as one {@code byte[]} holding the logical concatenation of its MDL chain
 * (ndis-buffers §2.2), the list of MDL sizes inside it, and {@code DataOffset}/{@code DataLength}. Retreat, advance,
 * copy and write are re-derived from the spec's algorithms on logical offsets only. After every step the properties
 * check that
 *
 * <ul>
 *   <li>the NB's used bytes ({@link NetBuffer#toByteArray()}) equal the model's slice {@code [DataOffset, DataOffset +
 *       DataLength)}, and the whole chain (headroom and tail slack too) equals the model's array;
 *   <li>the MDL chain has the model's MDL sizes, in order, with the right provenance;
 *   <li>invariants I1 and I2 of §3.2 hold ({@link NetBuffer#checkInvariants()}), and I3: the cursor is in normal form
 *       ({@code CurrentMdlOffset < CurrentMdl.ByteCount}, so zero-length MDLs are skipped), or {@code CurrentMdl} is
 *       {@code NULL} exactly when the data starts at the chain's end (exception (c)). Exceptions (a) and (b) concern
 *       data-pool NBs, which these properties do not use.
 * </ul>
 *
 * <p><b>Surprising rules the model reproduces.</b>
 *
 * <ul>
 *   <li>Slow-path retreat (§3.3, §12.1): when {@code DataOffset < delta}, NDIS allocates {@code backFill + delta -
 *       DataOffset} bytes, not {@code delta + backFill}, prepends that MDL to the whole chain and keeps the old
 *       headroom: the newly exposed bytes are the tail of the new MDL followed by the old headroom, and
 *       {@code DataOffset} becomes the back-fill. The model prepends {@code size} bytes to its array. The new MDL's
 *       bytes are uninitialised, so the test fills them through the MDL (as a driver writing its header would) and
 *       gives the model the same bytes.
 *   <li>Advance with {@code FreeMdl} (§3.4, §12.2) frees every leading MDL lying wholly in unused space, whoever made
 *       it: caller MDLs and zero-length MDLs too, not only retreat MDLs. The test therefore tracks which of its own
 *       MDLs NDIS freed and frees only the rest.
 *   <li>{@code NdisCopyFromNetBufferToNetBuffer} (§3.8, §12.5) is bounded by the ends of both MDL chains, not by
 *       either {@code DataLength}: it may fill tail slack.
 *   <li>A clone without {@code USE_ORIGINAL_MDLS} (§5.2) has partial MDLs over exactly the used data and
 *       {@code DataOffset == 0}; with the flag it shares MDLs and headroom. Either way the bytes are shared, never
 *       copied, so a write through the clone shows in the original.
 * </ul>
 *
 * <p>At the end of each try everything is released the way a driver must: kept clones, fragments and reassemblies
 * with their own free functions, the MDLs retreats added by advancing back to the caller's chain with
 * {@code FreeMdl = TRUE}, the NBLs, the caller's MDLs that NDIS did not free, and the caller's memory. Then every
 * pool tag's diff in {@link Ndis#poolUsage()} must be 0.
 */
public class NetBufferModelProperties {
    private static final PoolTag MEMORY_TAG = PoolTag.of("Test");
    private static final PoolTag POOL_TAG = PoolTag.of("Prop");
    private static final int MAX_MDL_BYTES = 300;

    // ---- properties ----

    /** The main model check: random chains, random step sequences, a leak check at the end. */
    @Property(tries = 1000)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void operationSequencesMatchTheByteArrayModel(
            @ForAll("chains") ChainSpec mainChain,
            @ForAll("chains") ChainSpec peerChain,
            @ForAll("steps") List<Step> steps,
            @ForAll boolean checked,
            @ForAll long fillSeed) {
        try (Ndis ndis = checked ? Ndis.createChecked() : Ndis.create()) {
            Fixture fixture = new Fixture(ndis, fillSeed);
            Packet main = fixture.build(mainChain);
            Packet peer = fixture.build(peerChain);
            fixture.assertMatchesModel(main, "initial main NB");
            fixture.assertMatchesModel(peer, "initial peer NB");
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                Statistics.label("step").collect(step.getClass().getSimpleName());
                fixture.apply(step, main, peer);
                String where = "after step " + i + " " + step;
                fixture.assertMatchesModel(main, where + " (main NB)");
                fixture.assertMatchesModel(peer, where + " (peer NB)");
            }
            fixture.releaseEverything(main, peer);
            assertNoOutstandingAllocations(ndis);
        }
        Statistics.label("retreat path").coverage(coverage -> {
            coverage.check("fast").count(count -> count > 0);
            coverage.check("slow").count(count -> count > 0);
        });
        Statistics.label("caller MDLs freed by advance")
                .coverage(coverage -> coverage.check("yes").count(count -> count > 0));
        Statistics.label("data buffer").coverage(coverage -> {
            coverage.check("view").count(count -> count > 0);
            coverage.check("copy").count(count -> count > 0);
        });
        Statistics.label("fragments").coverage(coverage -> {
            coverage.check("none").count(count -> count > 0);
            coverage.check("one").count(count -> count > 0);
            coverage.check("several").count(count -> count > 0);
        });
    }

    /**
     * One retreat that lacks headroom, from a random NB: the exact §3.3 layout. The new head MDL has {@code backFill
     * + delta - DataOffset} bytes, {@code DataOffset} becomes {@code backFill}, the old chain follows unchanged, and
     * the exposed bytes are the new MDL's tail then the old headroom then the old data; the header is contiguous only
     * if there was no old headroom.
     */
    @Property(tries = 300)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void slowPathRetreatPrependsShortfallPlusBackFillAndKeepsOldHeadroom(
            @ForAll("chains") ChainSpec chain,
            @ForAll @IntRange(min = 1, max = 200) int extraDelta,
            @ForAll @IntRange(max = 64) int backFill,
            @ForAll boolean checked,
            @ForAll long fillSeed) {
        try (Ndis ndis = checked ? Ndis.createChecked() : Ndis.create()) {
            Fixture fixture = new Fixture(ndis, fillSeed);
            Packet packet = fixture.build(chain);
            NetBuffer nb = packet.nb;
            int oldOffset = nb.dataOffset();
            int delta = oldOffset + extraDelta;
            Mdl oldHead = nb.mdlChain();
            byte[] oldChain = chainBytes(nb);
            byte[] oldData = nb.toByteArray();

            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(delta, backFill, null));

            Mdl head = nb.mdlChain();
            assertNotNull(head);
            assertSame(oldHead, head.next(), "the new MDL is prepended to the whole old chain");
            assertEquals(MdlOrigin.NDIS_RETREAT_DEFAULT, head.origin());
            assertEquals(backFill + delta - oldOffset, head.byteCount(), "size = backFill + delta - DataOffset");
            assertEquals(backFill, nb.dataOffset());
            assertEquals(oldData.length + delta, nb.dataLength());
            assertSame(head, nb.currentMdl());
            assertEquals(backFill, nb.currentMdlOffset());
            byte[] header = fixture.fill(head);
            byte[] expected = concat(
                    Arrays.copyOfRange(header, backFill, header.length),
                    Arrays.copyOfRange(oldChain, 0, oldOffset),
                    oldData);
            assertArrayEquals(expected, nb.toByteArray(), "new MDL tail + old headroom + old data");
            MemorySegment storage = MemorySegment.ofArray(new byte[delta]);
            MemorySegment prefix = nb.getDataBuffer(delta, storage, 1, 0);
            assertNotNull(prefix);
            assertEquals(oldOffset > 0, prefix == storage, "the exposed header is contiguous iff DataOffset was 0");
            assertArrayEquals(Arrays.copyOf(expected, delta), prefix.toArray(ValueLayout.JAVA_BYTE));
            nb.checkInvariants();
            assertCursorInNormalForm(nb);

            packet.model.retreat(delta, backFill, header);
            fixture.assertMatchesModel(packet, "after the retreat");
            // Advancing back by delta with FreeMdl frees the retreat MDL and also every caller MDL that lies
            // wholly in the old headroom (§3.4): the model tracks which.
            fixture.advance(packet, delta, true);
            fixture.assertMatchesModel(packet, "after advancing back");
            assertEquals(0, packet.model.retreatPrefixLength());
            fixture.releaseEverything(packet, null);
            assertNoOutstandingAllocations(ndis);
        }
    }

    /**
     * {@code NdisCopyFromNetBufferToNetBuffer} between two independent NBs copies exactly the bytes the model copies:
     * {@code min(BytesToCopy, source chain left, destination chain left)}, from each NB's data start plus its offset,
     * regardless of either {@code DataLength}; neither NB's fields change.
     */
    @Property(tries = 400)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void copyBetweenNetBuffersIsBoundedByChainEndsNotDataLength(
            @ForAll("chains") ChainSpec destinationChain,
            @ForAll("chains") ChainSpec sourceChain,
            @ForAll @IntRange(max = 1_000_000) int destinationOffsetSeed,
            @ForAll @IntRange(max = 1_000_000) int sourceOffsetSeed,
            @ForAll @IntRange(max = 2 * 6 * MAX_MDL_BYTES) int bytesToCopy,
            @ForAll boolean checked) {
        try (Ndis ndis = checked ? Ndis.createChecked() : Ndis.create()) {
            Fixture fixture = new Fixture(ndis, 0);
            Packet destination = fixture.build(destinationChain);
            Packet source = fixture.build(sourceChain);
            fixture.copy(new Copy(true, destinationOffsetSeed, bytesToCopy, sourceOffsetSeed), destination, source);
            fixture.assertMatchesModel(destination, "destination");
            fixture.assertMatchesModel(source, "source");
            fixture.releaseEverything(destination, source);
            assertNoOutstandingAllocations(ndis);
        }
        Statistics.label("copy").coverage(coverage -> {
            coverage.check("beyond destination DataLength").count(count -> count > 0);
            coverage.check("beyond source DataLength").count(count -> count > 0);
            coverage.check("nothing").count(count -> count > 0);
        });
    }

    // ---- generators ----

    /** 1 - 6 MDLs of 0 - 300 random bytes (zero-length ones often), with seeds for DataOffset and DataLength. */
    @Provide
    Arbitrary<ChainSpec> chains() {
        Arbitrary<byte[]> nonEmpty =
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(MAX_MDL_BYTES);
        Arbitrary<byte[]> mdl =
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(new byte[0])), Tuple.of(4, nonEmpty));
        Arbitrary<Integer> seed = Arbitraries.integers().between(0, 1_000_000);
        return Combinators.combine(mdl.list().ofMinSize(1).ofMaxSize(6), seed, seed)
                .as(ChainSpec::new);
    }

    /** Up to 30 steps; offsets and lengths that depend on the state are seeds taken modulo what the state allows. */
    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Integer> seed = Arbitraries.integers().between(0, 1_000_000);
        Arbitrary<Step> retreat = Combinators.combine(
                        Arbitraries.integers().between(0, 200),
                        Arbitraries.integers().between(0, 64))
                .as(Retreat::new);
        Arbitrary<Step> advance =
                Combinators.combine(seed, Arbitraries.of(true, false)).as(Advance::new);
        Arbitrary<Step> clone = Combinators.combine(
                        Arbitraries.of(true, false),
                        Arbitraries.of(true, false),
                        seed,
                        Arbitraries.integers().between(0, 16))
                .as(Clone::new);
        Arbitrary<Step> fragment = Combinators.combine(
                        seed,
                        seed,
                        Arbitraries.integers().between(0, 64),
                        Arbitraries.integers().between(0, 32),
                        Arbitraries.of(true, false))
                .as(Fragment::new);
        Arbitrary<Step> reassemble = Combinators.combine(
                        seed,
                        Arbitraries.integers().between(0, 64),
                        Arbitraries.integers().between(0, 32),
                        Arbitraries.of(true, false))
                .as(Reassemble::new);
        Arbitrary<Step> copy = Combinators.combine(
                        Arbitraries.of(true, false),
                        seed,
                        Arbitraries.integers().between(0, 400),
                        seed)
                .as(Copy::new);
        Arbitrary<Step> write = Combinators.combine(seed, Arbitraries.integers().between(0, 64), seed)
                .as(WriteAndRead::new);
        return Arbitraries.frequencyOf(
                        Tuple.of(4, retreat),
                        Tuple.of(4, advance),
                        Tuple.of(2, clone),
                        Tuple.of(2, fragment),
                        Tuple.of(1, reassemble),
                        Tuple.of(2, copy),
                        Tuple.of(2, write))
                .list()
                .ofMaxSize(30);
    }

    /**
     * The caller's MDL chain and the seeds of its initial data range: {@code DataOffset = offsetSeed % (total + 1)},
     * {@code DataLength = lengthSeed % (total - DataOffset + 1)}.
     */
    record ChainSpec(List<byte[]> mdlContents, int offsetSeed, int lengthSeed) {
        @Override
        public String toString() {
            return "ChainSpec[MDL sizes="
                    + mdlContents.stream().map(b -> b.length).toList() + ", offsetSeed=" + offsetSeed + ", lengthSeed="
                    + lengthSeed + "]";
        }
    }

    /** One operation on the main NB. */
    sealed interface Step permits Retreat, Advance, Clone, Fragment, Reassemble, Copy, WriteAndRead {}

    /** {@code NdisRetreatNetBufferDataStart} with NDIS's default allocator. */
    record Retreat(int delta, int backFill) implements Step {}

    /** {@code NdisAdvanceNetBufferDataStart} by {@code deltaSeed % (DataLength + 1)}. */
    record Advance(int deltaSeed, boolean freeMdl) implements Step {}

    /** A clone, a write of {@code aliasWriteLength} bytes through it, then an immediate free or a free at the end. */
    record Clone(boolean useOriginalMdls, boolean keep, int aliasWriteOffsetSeed, int aliasWriteLength)
            implements Step {}

    /** A fragment NBL; a {@code maximumLength} of 0 or a start at or past the data's end must give {@code null}. */
    record Fragment(int startOffsetSeed, int maximumLengthSeed, int dataOffsetDelta, int dataBackFill, boolean keep)
            implements Step {}

    /** A reassembled NBL of the main NBL's single NB. */
    record Reassemble(int startOffsetSeed, int dataOffsetDelta, int dataBackFill, boolean keep) implements Step {}

    /** {@code NdisCopyFromNetBufferToNetBuffer} between the main and the peer NB, in either direction. */
    record Copy(boolean mainIsDestination, int destinationOffsetSeed, int bytesToCopy, int sourceOffsetSeed)
            implements Step {}

    /** A write of random bytes from a data offset (possibly into tail slack or past the chain), then a read. */
    record WriteAndRead(int offsetSeed, int length, int readLengthSeed) implements Step {}

    // ---- the system under test next to its model ----

    /** An NBL with its NB over caller-owned MDLs and memory, and the NB's model. */
    static final class Packet {
        final List<MemoryBlock> blocks = new ArrayList<>();
        final List<Mdl> callerMdls = new ArrayList<>();
        final List<Boolean> callerMdlFreedByNdis = new ArrayList<>();
        NetBufferList nbl;
        NetBuffer nb;
        ByteArrayNetBufferModel model;
    }

    /** A derived NBL kept until the end of the try. */
    record KeptDerived(NetBufferList nbl, NetBufferListKind kind, int freeArgument) {}

    /** One try's NDIS instance, pool, kept derived NBLs and source of fill bytes. */
    static final class Fixture {
        final Ndis ndis;
        final NetBufferListPool pool;
        final Random random;
        final List<KeptDerived> kept = new ArrayList<>();

        Fixture(Ndis ndis, long fillSeed) {
            this.ndis = ndis;
            NetBufferListPool created =
                    ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, POOL_TAG, 0));
            assertNotNull(created);
            this.pool = created;
            this.random = new Random(fillSeed);
        }

        /** Allocates memory and an MDL per spec entry, chains them and builds an NBL over the chain. */
        Packet build(ChainSpec spec) {
            Packet packet = new Packet();
            Mdl head = null;
            Mdl tail = null;
            int total = 0;
            for (byte[] contents : spec.mdlContents()) {
                MemoryBlock block = ndis.allocateMemoryWithTag(Math.max(1, contents.length), MEMORY_TAG);
                assertNotNull(block);
                MemorySegment.copy(contents, 0, block.segment(), ValueLayout.JAVA_BYTE, 0, contents.length);
                Mdl mdl = ndis.allocateMdl(block.segment(), contents.length);
                if (tail == null) {
                    head = mdl;
                } else {
                    tail.setNext(mdl);
                }
                tail = mdl;
                total += contents.length;
                packet.blocks.add(block);
                packet.callerMdls.add(mdl);
                packet.callerMdlFreedByNdis.add(false);
            }
            int dataOffset = spec.offsetSeed() % (total + 1);
            int dataLength = spec.lengthSeed() % (total - dataOffset + 1);
            NetBufferList nbl = pool.allocateNetBufferAndNetBufferList(0, 0, head, dataOffset, dataLength);
            assertNotNull(nbl);
            packet.nbl = nbl;
            packet.nb = nbl.firstNetBuffer();
            assertNotNull(packet.nb);
            packet.model = new ByteArrayNetBufferModel(spec.mdlContents(), dataOffset, dataLength);
            return packet;
        }

        void apply(Step step, Packet main, Packet peer) {
            switch (step) {
                case Retreat retreat -> retreat(retreat, main);
                case Advance advance ->
                    advance(main, advance.deltaSeed() % (main.nb.dataLength() + 1), advance.freeMdl());
                case Clone clone -> cloneAndCheck(clone, main);
                case Fragment fragment -> fragmentAndCheck(fragment, main);
                case Reassemble reassemble -> reassembleAndCheck(reassemble, main);
                case Copy copy -> {
                    if (copy.mainIsDestination()) {
                        copy(copy, main, peer);
                    } else {
                        copy(copy, peer, main);
                    }
                }
                case WriteAndRead write -> writeAndRead(write, main);
            }
        }

        private void retreat(Retreat step, Packet packet) {
            NetBuffer nb = packet.nb;
            ByteArrayNetBufferModel model = packet.model;
            int size = model.retreatAllocationSize(step.delta(), step.backFill());
            Mdl oldHead = nb.mdlChain();
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(step.delta(), step.backFill(), null));
            byte[] newMdlContents = new byte[0];
            if (size > 0) {
                Mdl head = nb.mdlChain();
                assertNotNull(head);
                assertNotSame(oldHead, head, "a slow-path retreat prepends an MDL (§3.3)");
                assertEquals(MdlOrigin.NDIS_RETREAT_DEFAULT, head.origin());
                assertEquals(size, head.byteCount(), "retreat MDL size = backFill + delta - DataOffset (§3.3)");
                assertEquals(step.backFill(), nb.dataOffset(), "DataOffset after a slow-path retreat = backFill");
                newMdlContents = fill(head);
            } else {
                assertSame(oldHead, nb.mdlChain(), "a fast-path retreat allocates nothing (§3.3)");
            }
            model.retreat(step.delta(), step.backFill(), newMdlContents);
            Statistics.label("retreat path").collect(size > 0 ? "slow" : "fast");
        }

        /** Advances both NB and model; records and checks the caller MDLs NDIS frees on the way (§3.4). */
        void advance(Packet packet, int delta, boolean freeMdl) {
            List<ByteArrayNetBufferModel.Segment> freed = packet.model.advance(delta, freeMdl);
            packet.nb.advance(delta, freeMdl, null);
            boolean callerMdlFreed = false;
            for (ByteArrayNetBufferModel.Segment segment : freed) {
                if (segment.origin() == ByteArrayNetBufferModel.Origin.CALLER) {
                    int index = segment.callerIndex();
                    assertFalse(packet.callerMdls.get(index).isAllocated(), "NDIS freed caller MDL " + index);
                    packet.callerMdlFreedByNdis.set(index, true);
                    callerMdlFreed = true;
                }
            }
            if (freeMdl) {
                Statistics.label("caller MDLs freed by advance").collect(callerMdlFreed ? "yes" : "no");
            }
        }

        private void cloneAndCheck(Clone step, Packet main) {
            ByteArrayNetBufferModel model = main.model;
            int flags = step.useOriginalMdls() ? CloneFlags.NDIS_CLONE_FLAGS_USE_ORIGINAL_MDLS : 0;
            NetBufferList clone = main.nbl.allocateClone(null, null, flags);
            assertNotNull(clone);
            NetBuffer cloneNb = clone.firstNetBuffer();
            assertNotNull(cloneNb);
            assertNull(cloneNb.next(), "one clone NB per original NB");
            cloneNb.checkInvariants();
            assertCursorInNormalForm(cloneNb);
            assertEquals(model.dataLength(), cloneNb.dataLength());
            assertArrayEquals(model.usedBytes(), cloneNb.toByteArray(), "clone data = original used data");
            if (step.useOriginalMdls()) {
                assertSame(main.nb.mdlChain(), cloneNb.mdlChain(), "USE_ORIGINAL_MDLS shares the MDLs (§5.2)");
                assertSame(main.nb.currentMdl(), cloneNb.currentMdl());
                assertEquals(model.dataOffset(), cloneNb.dataOffset(), "and the headroom");
            } else {
                assertEquals(0, cloneNb.dataOffset(), "a partial-MDL clone has no headroom (§5.2)");
                assertEquals(0, cloneNb.currentMdlOffset());
                assertEquals(model.partialMdlSizes(0, model.dataLength()), mdlSizes(cloneNb.mdlChain()));
                for (Mdl mdl = cloneNb.mdlChain(); mdl != null; mdl = mdl.next()) {
                    assertEquals(MdlOrigin.CLONE_PARTIAL, mdl.origin());
                }
            }
            if (model.dataLength() > 0) {
                int offset = step.aliasWriteOffsetSeed() % model.dataLength();
                byte[] bytes = randomBytes(Math.min(step.aliasWriteLength(), model.dataLength() - offset));
                assertEquals(bytes.length, cloneNb.write(offset, bytes));
                model.write(offset, bytes);
                assertArrayEquals(model.usedBytes(), main.nb.toByteArray(), "clone and original share bytes");
            }
            if (step.keep()) {
                kept.add(new KeptDerived(clone, NetBufferListKind.CLONE, flags));
            } else {
                clone.freeClone(flags);
            }
        }

        private void fragmentAndCheck(Fragment step, Packet main) {
            ByteArrayNetBufferModel model = main.model;
            int dataLength = model.dataLength();
            int startOffset = step.startOffsetSeed() % (dataLength + 2);
            int maximumLength = step.maximumLengthSeed() % (Math.max(0, dataLength - startOffset) + 2);
            int delta = step.dataOffsetDelta();
            int backFill = step.dataBackFill();
            NetBufferList fragments =
                    main.nbl.allocateFragment(null, null, startOffset, maximumLength, delta, backFill, 0);
            int payloadLength = dataLength - startOffset;
            if (maximumLength == 0 || payloadLength <= 0) {
                assertNull(fragments, "no fragment NBL for MaximumLength 0 or nothing after StartOffset (§5.3)");
                Statistics.label("fragments").collect("none");
                return;
            }
            assertNotNull(fragments);
            ByteArrayOutputStream payloads = new ByteArrayOutputStream();
            int count = 0;
            for (NetBuffer fragment = fragments.firstNetBuffer(); fragment != null; fragment = fragment.next()) {
                int piece = fragment.dataLength() - delta;
                assertTrue(piece > 0 && piece <= maximumLength, "fragment payload " + piece + " > " + maximumLength);
                int consumed = payloads.size();
                assertTrue(
                        piece == maximumLength || consumed + piece == payloadLength,
                        "only the last fragment may be shorter");
                checkDerivedNetBuffer(fragment, model, startOffset + consumed, piece, delta, backFill);
                byte[] bytes = fragment.toByteArray();
                payloads.write(bytes, delta, piece);
                count++;
            }
            assertEquals((payloadLength + maximumLength - 1) / maximumLength, count, "number of fragments");
            assertArrayEquals(
                    Arrays.copyOfRange(model.usedBytes(), startOffset, dataLength),
                    payloads.toByteArray(),
                    "fragment payloads concatenate to the data after StartOffset");
            Statistics.label("fragments").collect(count == 1 ? "one" : "several");
            if (step.keep()) {
                kept.add(new KeptDerived(fragments, NetBufferListKind.FRAGMENT, delta));
            } else {
                fragments.freeFragment(delta, 0);
            }
        }

        private void reassembleAndCheck(Reassemble step, Packet main) {
            ByteArrayNetBufferModel model = main.model;
            int dataLength = model.dataLength();
            int startOffset = step.startOffsetSeed() % (dataLength + 2);
            int delta = step.dataOffsetDelta();
            int backFill = step.dataBackFill();
            NetBufferList whole = main.nbl.allocateReassembled(null, startOffset, delta, backFill, 0);
            int payloadLength = dataLength - startOffset;
            if (payloadLength <= 0) {
                assertNull(whole, "nothing after StartOffset: no reassembly");
                return;
            }
            assertNotNull(whole);
            NetBuffer nb = whole.firstNetBuffer();
            assertNotNull(nb);
            assertNull(nb.next(), "a reassembly has one NB (§5.4)");
            checkDerivedNetBuffer(nb, model, startOffset, payloadLength, delta, backFill);
            byte[] bytes = nb.toByteArray();
            assertArrayEquals(
                    Arrays.copyOfRange(model.usedBytes(), startOffset, dataLength),
                    Arrays.copyOfRange(bytes, delta, bytes.length),
                    "reassembled payload = the data after StartOffset");
            if (step.keep()) {
                kept.add(new KeptDerived(whole, NetBufferListKind.REASSEMBLED, delta));
            } else {
                whole.freeReassembled(delta, 0);
            }
        }

        /**
         * A fragment or reassembly NB: partial MDLs over {@code length} bytes from {@code skip} past the source's data
         * start, retreated by {@code delta} from {@code DataOffset} 0 (so, for {@code delta > 0}, a slow-path retreat
         * whose header MDL has {@code backFill + delta} bytes and leaves {@code DataOffset = backFill}).
         */
        private static void checkDerivedNetBuffer(
                NetBuffer nb, ByteArrayNetBufferModel source, int skip, int length, int delta, int backFill) {
            nb.checkInvariants();
            assertCursorInNormalForm(nb);
            assertEquals(length + delta, nb.dataLength());
            assertEquals(delta > 0 ? backFill : 0, nb.dataOffset());
            List<Integer> expectedSizes = new ArrayList<>();
            if (delta > 0) {
                expectedSizes.add(backFill + delta);
            }
            expectedSizes.addAll(source.partialMdlSizes(skip, length));
            assertEquals(expectedSizes, mdlSizes(nb.mdlChain()), "header MDL, then partial MDLs");
        }

        void copy(Copy step, Packet destination, Packet source) {
            ByteArrayNetBufferModel destinationModel = destination.model;
            ByteArrayNetBufferModel sourceModel = source.model;
            int destinationOffset =
                    step.destinationOffsetSeed() % (destinationModel.chainLength() - destinationModel.dataOffset() + 4);
            int sourceOffset = step.sourceOffsetSeed() % (sourceModel.chainLength() - sourceModel.dataOffset() + 4);
            int expected = ByteArrayNetBufferModel.copy(
                    destinationModel, destinationOffset, step.bytesToCopy(), sourceModel, sourceOffset);
            int copied = NetBuffer.copy(destination.nb, destinationOffset, step.bytesToCopy(), source.nb, sourceOffset);
            assertEquals(expected, copied, "bytes copied (bounded by chain ends, §3.8)");
            if (copied == 0) {
                Statistics.label("copy").collect("nothing");
            } else {
                if (destinationOffset + copied > destinationModel.dataLength()) {
                    Statistics.label("copy").collect("beyond destination DataLength");
                }
                if (sourceOffset + copied > sourceModel.dataLength()) {
                    Statistics.label("copy").collect("beyond source DataLength");
                }
            }
        }

        private void writeAndRead(WriteAndRead step, Packet packet) {
            NetBuffer nb = packet.nb;
            ByteArrayNetBufferModel model = packet.model;
            int offset = step.offsetSeed() % (model.dataLength() + 8);
            byte[] bytes = randomBytes(step.length());
            int expected = model.write(offset, bytes);
            assertEquals(expected, nb.write(offset, bytes), "bytes written (bounded by the chain end)");

            int bytesNeeded = step.readLengthSeed() % (model.dataLength() + 1);
            MemorySegment storage = MemorySegment.ofArray(new byte[Math.max(1, bytesNeeded)]);
            MemorySegment buffer = nb.getDataBuffer(bytesNeeded, storage, 1, 0);
            if (bytesNeeded == 0) {
                assertNull(buffer, "NdisGetDataBuffer of 0 bytes is NULL (§3.7)");
                return;
            }
            assertNotNull(buffer);
            boolean contiguous = model.dataPrefixIsContiguous(bytesNeeded);
            assertEquals(!contiguous, buffer == storage, "a view iff the bytes lie in the current MDL (§3.7)");
            assertArrayEquals(
                    Arrays.copyOf(model.usedBytes(), bytesNeeded),
                    buffer.asSlice(0, bytesNeeded).toArray(ValueLayout.JAVA_BYTE));
            Statistics.label("data buffer").collect(contiguous ? "view" : "copy");
            if (contiguous) {
                byte marker = (byte) random.nextInt();
                buffer.set(ValueLayout.JAVA_BYTE, 0, marker);
                model.write(0, new byte[] {marker});
            }
        }

        /** Fills an MDL NDIS allocated (uninitialised memory) with random bytes and returns them. */
        byte[] fill(Mdl mdl) {
            byte[] bytes = randomBytes(mdl.byteCount());
            MemorySegment.copy(bytes, 0, mdl.buffer(), ValueLayout.JAVA_BYTE, mdl.bufferOffset(), bytes.length);
            return bytes;
        }

        private byte[] randomBytes(int length) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            return bytes;
        }

        /** Compares an NB with its model: fields, MDL layout and provenance, every byte, invariants I1 - I3. */
        void assertMatchesModel(Packet packet, String where) {
            NetBuffer nb = packet.nb;
            ByteArrayNetBufferModel model = packet.model;
            nb.checkInvariants();
            assertCursorInNormalForm(nb);
            assertEquals(model.dataOffset(), nb.dataOffset(), where + ": DataOffset, " + model);
            assertEquals(model.dataLength(), nb.dataLength(), where + ": DataLength, " + model);
            assertEquals(model.segmentSizes(), mdlSizes(nb.mdlChain()), where + ": MDL sizes");
            Mdl mdl = nb.mdlChain();
            for (ByteArrayNetBufferModel.Segment segment : model.segments()) {
                assertNotNull(mdl);
                assertTrue(mdl.isAllocated(), where + ": freed MDL in the chain");
                if (segment.origin() == ByteArrayNetBufferModel.Origin.CALLER) {
                    assertSame(packet.callerMdls.get(segment.callerIndex()), mdl, where + ": caller MDL");
                } else {
                    assertEquals(MdlOrigin.NDIS_RETREAT_DEFAULT, mdl.origin(), where + ": retreat MDL");
                }
                mdl = mdl.next();
            }
            assertArrayEquals(model.usedBytes(), nb.toByteArray(), where + ": used data, " + model);
            assertArrayEquals(model.chainBytes(), chainBytes(nb), where + ": whole chain, " + model);
        }

        /**
         * Frees everything a driver must free, in a legal order, leaving nothing allocated: kept derived NBLs, then
         * per packet the retreat MDLs (advance back to the caller's chain with {@code FreeMdl}, §3.4), the NBL, the
         * caller MDLs NDIS did not free, the caller's memory; finally the pool.
         */
        void releaseEverything(Packet main, @Nullable Packet peer) {
            for (KeptDerived derived : kept.reversed()) {
                switch (derived.kind()) {
                    case CLONE -> derived.nbl().freeClone(derived.freeArgument());
                    case FRAGMENT -> derived.nbl().freeFragment(derived.freeArgument(), 0);
                    case REASSEMBLED -> derived.nbl().freeReassembled(derived.freeArgument(), 0);
                    case ALLOCATED -> throw new AssertionError("not derived");
                }
            }
            kept.clear();
            release(main);
            if (peer != null) {
                release(peer);
            }
            pool.close();
        }

        private void release(Packet packet) {
            NetBuffer nb = packet.nb;
            ByteArrayNetBufferModel model = packet.model;
            int callerChainStart = model.retreatPrefixLength();
            int delta = Math.max(0, callerChainStart - model.dataOffset());
            if (delta > model.dataLength()) {
                // The data ends inside retreat MDLs: as the NB's owner, claim the tail slack first (§3.10, §4.7).
                int extended = model.chainLength() - model.dataOffset();
                nb.setDataLength(extended);
                model.setDataLength(extended);
            }
            advance(packet, delta, true);
            assertEquals(0, model.retreatPrefixLength(), "no retreat MDL left after advancing back");
            assertMatchesModel(packet, "after undoing the retreats");
            packet.nbl.free();
            for (int i = 0; i < packet.callerMdls.size(); i++) {
                if (!packet.callerMdlFreedByNdis.get(i)) {
                    ndis.freeMdl(packet.callerMdls.get(i));
                }
            }
            for (MemoryBlock block : packet.blocks) {
                ndis.freeMemory(block);
            }
        }
    }

    // ---- helpers ----

    /**
     * Invariant I3 of §3.2: the cursor is in normal form ({@code CurrentMdlOffset < CurrentMdl.ByteCount}, which also
     * means it never rests on a zero-length MDL), or it is {@code NULL} with offset 0 because the data starts exactly
     * at the chain's end (exception (c)).
     */
    static void assertCursorInNormalForm(NetBuffer nb) {
        Mdl current = nb.currentMdl();
        if (current != null) {
            assertTrue(
                    nb.currentMdlOffset() < current.byteCount(),
                    "I3: CurrentMdlOffset " + nb.currentMdlOffset() + " not below ByteCount " + current.byteCount());
        } else {
            assertEquals(chainLength(nb.mdlChain()), nb.dataOffset(), "I3: NULL CurrentMdl before the chain's end");
            assertEquals(0, nb.currentMdlOffset(), "I3: NULL CurrentMdl with a leftover offset");
        }
    }

    static void assertNoOutstandingAllocations(Ndis ndis) {
        PoolUsageSnapshot usage = ndis.poolUsage();
        for (PoolUsage tag : usage.usages()) {
            assertEquals(0, tag.diff(), "outstanding allocations of tag " + tag.tag() + ": " + tag);
        }
        assertEquals(List.of(), usage.outstanding(), "tags with allocations or bytes still outstanding");
        assertEquals(0, usage.diff(MEMORY_TAG));
        assertEquals(0, usage.diff(POOL_TAG));
    }

    static List<Integer> mdlSizes(@Nullable Mdl chain) {
        List<Integer> sizes = new ArrayList<>();
        for (Mdl mdl = chain; mdl != null; mdl = mdl.next()) {
            sizes.add(mdl.byteCount());
        }
        return sizes;
    }

    static int chainLength(@Nullable Mdl chain) {
        int total = 0;
        for (Mdl mdl = chain; mdl != null; mdl = mdl.next()) {
            total += mdl.byteCount();
        }
        return total;
    }

    /** The logical concatenation of an NB's whole MDL chain, read through the MDLs. */
    static byte[] chainBytes(NetBuffer nb) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Mdl mdl = nb.mdlChain(); mdl != null; mdl = mdl.next()) {
            bytes.writeBytes(mdl.memory().toArray(ValueLayout.JAVA_BYTE));
        }
        return bytes.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            bytes.writeBytes(part);
        }
        return bytes.toByteArray();
    }
}
