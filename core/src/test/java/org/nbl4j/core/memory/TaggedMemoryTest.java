package org.nbl4j.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.core.verify.VerifierSettings;

class TaggedMemoryTest {
    private static final PoolTag TAG = PoolTag.of("Tst1");
    private static final PoolTag OTHER = PoolTag.of("Tst2");

    private final TaggedMemory memory = new TaggedMemory(false, new Verifier(VerifierSettings.off()).memoryWatch());

    @AfterEach
    void close() {
        memory.close();
    }

    private MemoryBlock allocate(PoolTag tag, long size) {
        MemoryBlock block = memory.allocate(tag, size);
        assertNotNull(block);
        return block;
    }

    @Test
    @DisplayName("accounting per tag: Allocs, Frees, Diff and Bytes count requested sizes, not size classes")
    void accountsPerTag() {
        MemoryBlock a = allocate(TAG, 100);
        MemoryBlock b = allocate(TAG, 28);
        allocate(OTHER, 7);
        memory.free(a);

        PoolUsage usage = memory.account(TAG).usage();
        assertEquals(2, usage.allocs());
        assertEquals(1, usage.frees());
        assertEquals(1, usage.diff());
        assertEquals(28, usage.bytes());
        assertEquals(28, usage.perAlloc());
        assertEquals(TAG, b.tag());

        PoolUsageSnapshot snapshot = memory.snapshot();
        assertEquals(1, snapshot.diff(TAG));
        assertEquals(1, snapshot.diff(OTHER));
        assertEquals(0, snapshot.diff(PoolTag.of("Nevr")), "a tag never used has no outstanding allocations");
        assertEquals(7, snapshot.usage(OTHER).orElseThrow().bytes());
    }

    @Test
    void blockIsAtLeastTheRequestedSizeAndAligned() {
        MemoryBlock block = allocate(TAG, 100);
        assertEquals(100, block.size());
        assertTrue(block.segment().byteSize() >= 100);
        assertEquals(0, block.segment().address() % TaggedMemory.ALIGNMENT);
        assertTrue(block.isAllocated());
    }

    @Test
    void largeBlocksAreAccountedToo() {
        MemoryBlock big = allocate(TAG, 200_000);
        assertEquals(200_000, memory.account(TAG).usage().bytes());
        memory.free(big);
        assertEquals(0, memory.account(TAG).usage().bytes());
        assertEquals(0, memory.account(TAG).usage().diff());
    }

    @Test
    void zeroOrNegativeSizeAllocatesNothing() {
        assertNull(memory.allocate(TAG, 0));
        assertNull(memory.allocate(TAG, -1));
        assertEquals(0, memory.account(TAG).usage().allocs());
    }

    @Test
    void snapshotsAreSortedAndShowOutstandingTags() {
        allocate(PoolTag.of("Zzzz"), 16);
        MemoryBlock freed = allocate(PoolTag.of("Aaaa"), 16);
        memory.free(freed);
        PoolUsageSnapshot snapshot = memory.snapshot();
        List<String> order =
                snapshot.usages().stream().map(u -> u.tag().toString()).toList();
        assertEquals(List.of("Aaaa", "Zzzz"), order);
        assertEquals(
                List.of("Zzzz"),
                snapshot.outstanding().stream().map(u -> u.tag().toString()).toList());
    }

    @Test
    @DisplayName("snapshot minus an earlier snapshot gives poolmon's change columns; new tags count from zero")
    void snapshotMinus() {
        MemoryBlock before1 = allocate(TAG, 50);
        PoolUsageSnapshot before = memory.snapshot();

        allocate(TAG, 10);
        allocate(TAG, 20);
        memory.free(before1);
        allocate(OTHER, 30);
        PoolUsageSnapshot after = memory.snapshot();

        PoolUsageSnapshot change = after.minus(before);
        PoolUsage tag = change.usage(TAG).orElseThrow();
        assertEquals(2, tag.allocs());
        assertEquals(1, tag.frees());
        assertEquals(1, tag.diff());
        assertEquals(-20, tag.bytes(), "50 freed, 30 allocated");
        PoolUsage other = change.usage(OTHER).orElseThrow();
        assertEquals(new PoolUsage(OTHER, 1, 0, 30), other);

        // the totals themselves are unchanged by minus
        assertEquals(3, after.usage(TAG).orElseThrow().allocs());
    }

    @Test
    @DisplayName("per-thread counting: allocations on one thread and frees on another sum to the right totals")
    void countsAreSummedAcrossThreads() throws InterruptedException {
        int threads = 4;
        int perThread = 250;
        ConcurrentLinkedQueue<MemoryBlock> blocks = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    blocks.add(allocate(TAG, 8));
                }
            });
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        PoolUsage afterAllocs = memory.account(TAG).usage();
        assertEquals(threads * perThread, afterAllocs.allocs());
        assertEquals(threads * perThread * 8L, afterAllocs.bytes());

        // free them all on this thread: this thread's cell goes negative, the sum is right
        for (MemoryBlock block : blocks) {
            memory.free(block);
        }
        PoolUsage usage = memory.account(TAG).usage();
        assertEquals(threads * perThread, usage.allocs());
        assertEquals(threads * perThread, usage.frees());
        assertEquals(0, usage.diff());
        assertEquals(0, usage.bytes());
    }

    @Test
    @DisplayName("§2.5: a double free is a RuleViolation (pool corruption on Windows), counted once")
    void doubleFree() {
        MemoryBlock block = allocate(TAG, 32);
        memory.free(block);
        assertFalse(block.isAllocated());
        RuleViolation violation = assertThrows(RuleViolation.class, () -> memory.free(block));
        assertEquals(BufferRule.MEMORY_DOUBLE_FREE, violation.rule());
        assertEquals(1, memory.account(TAG).usage().frees());
    }

    @Test
    @DisplayName("§2.5: freeing a block to a TaggedMemory that did not allocate it is a RuleViolation")
    void foreignFree() {
        try (TaggedMemory other = new TaggedMemory(false, new Verifier(VerifierSettings.off()).memoryWatch())) {
            MemoryBlock block = other.allocate(TAG, 32);
            assertNotNull(block);
            RuleViolation violation = assertThrows(RuleViolation.class, () -> memory.free(block));
            assertEquals(BufferRule.MEMORY_FOREIGN_FREE, violation.rule());
            assertTrue(block.isAllocated());
            assertEquals(0, memory.account(TAG).usage().frees());
            other.free(block);
        }
    }

    @Test
    @DisplayName("checked mode: every block has its own arena; use after free throws IllegalStateException")
    void checkedModeUseAfterFreeThrows() {
        try (TaggedMemory checked = new TaggedMemory(true, new Verifier(VerifierSettings.off()).memoryWatch())) {
            assertTrue(checked.checked());
            MemoryBlock block = checked.allocate(TAG, 100);
            assertNotNull(block);
            assertEquals(100, block.segment().byteSize(), "checked blocks have exactly the requested size");
            block.segment().set(ValueLayout.JAVA_BYTE, 99, (byte) 7);
            checked.free(block);
            assertThrows(IllegalStateException.class, () -> block.segment().get(ValueLayout.JAVA_BYTE, 99));
            assertThrows(IllegalStateException.class, () -> block.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
        }
    }

    @Test
    @DisplayName("unchecked mode recycles: a freed block stays readable and the next allocation reuses it")
    void uncheckedModeRecycles() {
        assertFalse(memory.checked());
        MemoryBlock block = allocate(TAG, 40);
        block.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 0x5A);
        memory.free(block);
        assertEquals((byte) 0x5A, block.segment().get(ValueLayout.JAVA_BYTE, 0));
        MemoryBlock again = allocate(OTHER, 50); // same 64-byte size class
        assertTrue(again == block, "per-thread magazine is LIFO");
        assertEquals(OTHER, again.tag());
        assertEquals((byte) 0x5A, again.segment().get(ValueLayout.JAVA_BYTE, 0), "contents are not cleared");
    }
}
