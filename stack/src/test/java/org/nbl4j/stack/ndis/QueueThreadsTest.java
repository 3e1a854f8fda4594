package org.nbl4j.stack.ndis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.kernel.KernelRule;

/** One named thread per receive queue, at DISPATCH_LEVEL, stopped by close (ARCHITECTURE "Threads and IRQL"). */
class QueueThreadsTest {

    @Test
    void queueThreadsIndicateAtDispatchLevelAndStopOnClose() throws InterruptedException {
        try (Ndis ndis = Stacks.verifiedNdis()) {
            MemoryMiniport miniport =
                    MemoryMiniport.builder().name("memq").receiveQueues(2).build();
            TestProtocol protocol = new TestProtocol(ndis, Stacks.log());
            try (Adapter adapter = Adapter.builder(ndis).miniport(miniport).build()) {
                protocol.bindTo(adapter);
                adapter.start();
                assertThrows(IllegalStateException.class, adapter::start);
                assertEquals(Set.of("nbl4j memq rx0", "nbl4j memq rx1"), queueThreadNames());
                for (int port = 0; port < 32; port++) {
                    assertTrue(miniport.receive(Stacks.udp4(1, 2, 3000 + port, 53)));
                }
                protocol.send(Stacks.udp4(2, 1, 53, 3000));
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while ((protocol.received.size() < 32 || protocol.completed.isEmpty())
                        && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertEquals(32, protocol.received.size());
                assertEquals(1, protocol.completed.size(), "queue 0's thread completed the send");
                for (TestProtocol.Received received : protocol.received) {
                    assertEquals(Irql.DISPATCH_LEVEL, received.irql());
                    assertTrue((received.flags() & NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != 0);
                    assertTrue(received.thread().startsWith("nbl4j memq rx"), received.thread());
                }
                assertEquals(
                        2,
                        protocol.received.stream()
                                .map(TestProtocol.Received::thread)
                                .distinct()
                                .count(),
                        "both queues carried traffic");
                assertEquals(Irql.PASSIVE_LEVEL, Irql.current(), "the test thread stays at PASSIVE_LEVEL");
            }
            assertEquals(Set.of(), queueThreadNames());
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void pollRaisesTheCallerToDispatchOnlyForTheCall() {
        try (Ndis ndis = Stacks.verifiedNdis()) {
            MemoryMiniport miniport = MemoryMiniport.builder().build();
            TestProtocol protocol = new TestProtocol(ndis, Stacks.log());
            try (Adapter adapter = Adapter.builder(ndis).miniport(miniport).build()) {
                protocol.bindTo(adapter);
                miniport.receive(Stacks.udp4(1, 2, 3, 4));
                assertEquals(1, adapter.poll(0, 1));
                assertEquals(Irql.DISPATCH_LEVEL, protocol.received.getFirst().irql());
                assertEquals(Irql.PASSIVE_LEVEL, Irql.current());
                assertFalse(adapter.poll(0, 1) > 0);
            }
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    @Test
    @DisplayName(
            "a filter's receive handler that throws on a queue thread: DRIVER_ROUTINE_THREW at the line that threw,"
                    + " and the thread serves the next packet")
    void aThrowingHandlerIsReportedAndTheQueueGoesOn() throws InterruptedException {
        VerifierSettings settings = VerifierSettings.full()
                .withPolicy(ViolationPolicy.LOG)
                .withDriverCode(QueueThreadsTest.class.getName());
        try (Ndis ndis = Ndis.create(settings)) {
            MemoryMiniport miniport = MemoryMiniport.builder().name("memt").build();
            AtomicInteger calls = new AtomicInteger();
            int throwsAt = line() + 10;
            try (Adapter adapter = Adapter.builder(ndis)
                    .miniport(miniport)
                    .lwf("throws-once", handle -> new LwfHandlers() {
                        @Override
                        public void receiveNetBufferLists(
                                LwfHandle from, NetBufferList chain, int port, int count, int receiveFlags) {
                            from.returnNetBufferLists(chain, 0);
                            if (calls.incrementAndGet() == 1) {
                                String missing = null;
                                missing.length(); // the driver's bug
                            }
                        }
                    })
                    .build()) {
                adapter.start();
                assertTrue(miniport.receive(Stacks.udp4(1, 2, 3000, 53)));
                awaitCalls(calls, 1);
                assertTrue(miniport.receive(Stacks.udp4(1, 2, 3001, 53)));
                awaitCalls(calls, 2);
            }
            List<Violation> thrown = ndis.verifier().violations().stream()
                    .filter(v -> v.rule() == KernelRule.DRIVER_ROUTINE_THREW)
                    .toList();
            assertEquals(1, thrown.size(), () -> ndis.verifier().violations().toString());
            Violation violation = thrown.getFirst();
            assertTrue(violation.detail().startsWith("java.lang.NullPointerException"), violation.detail());
            assertTrue(
                    violation.site().where().endsWith("receiveNetBufferLists(QueueThreadsTest.java:" + throwsAt + ")"),
                    violation.site().where());
            assertEquals(0x1E, violation.bugcheck().code());
        }
    }

    private static void awaitCalls(AtomicInteger calls, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (calls.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(count, calls.get(), "the queue thread served the packet");
    }

    /** The line of the caller of this method in this file. */
    private static int line() {
        return new Throwable().getStackTrace()[1].getLineNumber();
    }

    private static Set<String> queueThreadNames() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("nbl4j memq"))
                .collect(Collectors.toSet());
    }
}
