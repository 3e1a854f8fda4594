package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link FlowTable#byHandle}: the lookup behind the flow-context, pending and transport send injection DDIs, which
 * take the handle a callout read from the metadata. It finds every open flow, across the table's growth, finds none
 * that ended, and allocates nothing.
 */
class FlowTableTest {
    /** Heap a thread may count for a loop of lookups that allocates nothing: the bean's own noise. */
    private static final long NOISE_BYTES = 4096;

    private static final long LOCAL = 0xC633_6402L; // 198.51.100.2

    private static Flow udp(FlowTable table, int remotePort) {
        return table.add(AddressFamily.INET, 17, 0, LOCAL, 0, 0xCB00_7109L, 5000, remotePort, true);
    }

    @Test
    void everyOpenFlowIsFoundByItsHandleAcrossGrowth() {
        FlowTable table = new FlowTable();
        List<Flow> flows = new ArrayList<>();
        for (int port = 1; port <= 1000; port++) {
            flows.add(udp(table, port));
        }
        for (Flow flow : flows) {
            assertSame(flow, table.byHandle(flow.handle()));
        }
        assertNull(table.byHandle(0), "no flow has handle 0");
        assertNull(table.byHandle(1001), "nor one past the last");
    }

    @Test
    void theHandleOfAnEndedFlowIsNotFound() {
        FlowTable table = new FlowTable();
        List<Flow> flows = new ArrayList<>();
        for (int port = 1; port <= 200; port++) {
            flows.add(udp(table, port));
        }
        // Flows that share a handle chain with the ended ones stay found: 64 and 128 apart land in one bucket.
        Flow aborted = flows.get(63);
        List<Flow> ended = new ArrayList<>();
        assertTrue(table.end(aborted, ended::add));
        assertEquals(List.of(aborted), ended);
        assertNull(table.byHandle(aborted.handle()), "an aborted flow");
        for (Flow flow : flows) {
            if (flow != aborted && flow.handle() % 3 == 0) {
                table.end(flow, ended::add);
            }
        }
        for (Flow flow : flows) {
            boolean open = !ended.contains(flow);
            assertEquals(open ? flow : null, table.byHandle(flow.handle()), "handle " + flow.handle());
        }
        table.endAll(ended::add);
        for (Flow flow : flows) {
            assertNull(table.byHandle(flow.handle()), "every flow ended");
        }
        assertEquals(0, table.size());
    }

    @Test
    void byHandleAllocatesNothing() {
        FlowTable table = new FlowTable();
        long[] handles = new long[500];
        for (int i = 0; i < handles.length; i++) {
            handles[i] = udp(table, i + 1).handle();
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        int found = 0;
        for (long handle : handles) { // warm up
            found += table.byHandle(handle) != null ? 1 : 0;
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int round = 0; round < 200; round++) {
            for (long handle : handles) {
                found += table.byHandle(handle) != null ? 1 : 0;
            }
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertEquals(201 * handles.length, found);
        assertTrue(allocated < NOISE_BYTES, allocated + " bytes for 100000 lookups");
    }
}
