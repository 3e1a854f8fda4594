package org.nbl4j.stack.ndis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.RuleViolation;

/** Sends, receives, completions and returns through a filter stack: order, SourceHandle routing (§6.3–§6.5). */
class AdapterDataPathTest {

    @Test
    void sendsGoDownAndIndicationsUpThroughTwoFiltersInOrder() {
        List<String> log = Stacks.log();
        List<byte[]> wire = new ArrayList<>();
        try (Ndis ndis = Stacks.verifiedNdis()) {
            MemoryMiniport miniport = MemoryMiniport.builder()
                    .transmitSink(nbl -> wire.add(Stacks.bytes(nbl)))
                    .build();
            TestProtocol protocol = new TestProtocol(ndis, log);
            try (Adapter adapter = Adapter.builder(ndis)
                    .miniport(miniport)
                    .lwf("A", RecordingLwf.driver("A", log))
                    .lwf("B", RecordingLwf.driver("B", log))
                    .build()) {
                protocol.bindTo(adapter);
                log.clear();
                byte[] out = Stacks.udp4(1, 2, 1000, 53);
                NetBufferList sent = protocol.send(out);
                assertEquals(List.of("A send", "B send"), log, "top filter first on the way down");
                assertEquals(1, wire.size());
                assertArrayEquals(out, wire.getFirst());
                assertEquals(List.of(), protocol.completed, "the memory miniport completes asynchronously");

                adapter.poll(0, 16);
                assertEquals(
                        List.of("A send", "B send", "B send complete", "A send complete", "protocol send complete"),
                        log);
                assertSame(sent, protocol.completed.getFirst().nbl());
                assertEquals(
                        NtStatus.NDIS_STATUS_SUCCESS,
                        protocol.completed.getFirst().status());

                log.clear();
                byte[] in = Stacks.udp4(3, 4, 53, 1000);
                assertTrue(miniport.receive(in));
                assertEquals(1, adapter.poll(0, 16));
                assertEquals(
                        List.of("B receive", "A receive", "protocol receive", "A return", "B return"),
                        log,
                        "bottom filter first on the way up, returns go down");
                assertArrayEquals(in, protocol.received.getFirst().bytes());
                assertEquals(256, miniport.freeReceiveBuffers(), "the returned NBL is recycled");
                assertEquals(new MiniportStatistics(1, 28, 0, 0, 1, 28, 0), miniport.statistics());
            }
            assertEquals(
                    List.of("A pause", "B pause", "A detach", "B detach"), log.subList(log.size() - 4, log.size()));
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void aFilterGetsExactlyItsOwnNblsBackAndNoOneAboveSeesThem() {
        List<String> log = Stacks.log();
        List<OriginatingLwf> modules = new ArrayList<>();
        try (Ndis ndis = Stacks.verifiedNdis()) {
            MemoryMiniport miniport = MemoryMiniport.builder().build();
            TestProtocol protocol = new TestProtocol(ndis, log);
            try (Adapter adapter = Adapter.builder(ndis)
                    .miniport(miniport)
                    .lwf("A", RecordingLwf.driver("A", log))
                    .lwf("O", OriginatingLwf.driver("O", log, modules))
                    .lwf("B", RecordingLwf.driver("B", log))
                    .build()) {
                protocol.bindTo(adapter);
                OriginatingLwf origin = modules.getFirst();
                log.clear();

                origin.send(Stacks.udp4(5, 6, 7, 8), 0);
                assertEquals(1, origin.handle().outstandingSends());
                adapter.poll(0, 16);
                assertEquals(List.of("B send", "B send complete", "O send complete"), log, "A never sees it");
                assertEquals(List.of(NtStatus.NDIS_STATUS_SUCCESS), origin.ownCompleted);
                assertEquals(List.of(), protocol.completed);
                assertEquals(0, origin.handle().outstandingSends());

                log.clear();
                origin.indicate(Stacks.udp4(9, 10, 11, 12), false);
                assertEquals(List.of("A receive", "protocol receive", "A return", "O return"), log, "B never sees it");
                assertEquals(1, origin.ownReturned.get());
                assertSame(origin.handle(), protocol.received.getFirst().source(), "SourceHandle = NdisFilterHandle");
                assertEquals(0, origin.handle().outstandingIndications());

                log.clear();
                origin.indicate(Stacks.udp4(9, 10, 11, 12), true);
                assertEquals(List.of("A receive", "protocol receive"), log, "RESOURCES: no return handler call");
                assertEquals(1, origin.ownReturned.get());
            }
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void completionsReachTheirOwnersWhenTheMiniportMergesAndSplitsChains() {
        List<String> log = Stacks.log();
        List<OriginatingLwf> modules = new ArrayList<>();
        try (Ndis ndis = Stacks.verifiedNdis()) {
            ManualMiniport miniport = new ManualMiniport();
            TestProtocol protocol = new TestProtocol(ndis, log);
            try (Adapter adapter = Adapter.builder(ndis)
                    .miniport(miniport)
                    .lwf("O", OriginatingLwf.driver("O", log, modules))
                    .build()) {
                protocol.bindTo(adapter);
                OriginatingLwf origin = modules.getFirst();
                NetBufferList p1 = protocol.packet(Stacks.udp4(1, 1, 1, 1));
                NetBufferList p2 = protocol.packet(Stacks.udp4(2, 2, 2, 2));
                adapter.sendNetBufferLists(Stacks.chain(p1, p2), 0, 0);
                NetBufferList f1 = origin.send(Stacks.udp4(3, 3, 3, 3), 0);
                NetBufferList f2 = origin.send(Stacks.udp4(4, 4, 4, 4), 0);
                assertEquals(List.of(p1, p2, f1, f2), miniport.sent);

                miniport.complete(NtStatus.NDIS_STATUS_SUCCESS, f2, p2, f1);
                assertEquals(2, origin.ownCompleted.size());
                assertEquals(1, protocol.completed.size());
                assertSame(p2, protocol.completed.getFirst().nbl());

                miniport.complete(NtStatus.NDIS_STATUS_FAILURE, p1);
                assertSame(p1, protocol.completed.get(1).nbl());
                assertEquals(
                        NtStatus.NDIS_STATUS_FAILURE, protocol.completed.get(1).status(), "lower status kept");
                assertEquals(0, origin.handle().outstandingSends());
            }
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    /** A filter that forgets to take its own NBLs out of a completion chain. */
    private static final class ForgetfulLwf implements LwfHandlers {
        LwfHandle handle;

        ForgetfulLwf(LwfHandle handle) {
            this.handle = handle;
        }
    }

    @Test
    void aFilterPassingItsOwnNblUpIsRefused() {
        List<ForgetfulLwf> modules = new ArrayList<>();
        try (Ndis ndis = Stacks.verifiedNdis()) {
            ManualMiniport miniport = new ManualMiniport();
            TestProtocol protocol = new TestProtocol(ndis, Stacks.log());
            var pool = Stacks.dataPool(ndis, "Forg");
            try (Adapter adapter = Adapter.builder(ndis)
                    .miniport(miniport)
                    .lwf("F", handle -> {
                        ForgetfulLwf filter = new ForgetfulLwf(handle);
                        modules.add(filter);
                        return filter;
                    })
                    .build()) {
                protocol.bindTo(adapter);
                LwfHandle handle = modules.getFirst().handle;
                NetBufferList own = Stacks.packet(pool, Stacks.udp4(1, 2, 3, 4), handle);
                handle.sendNetBufferLists(own, 0, 0);
                RuleViolation violation =
                        assertThrows(RuleViolation.class, () -> miniport.complete(NtStatus.NDIS_STATUS_SUCCESS, own));
                assertEquals(NdisRule.NBL_MISROUTED, violation.rule());
                assertEquals(List.of(), protocol.completed, "the call was refused: the protocol never got it");
                // The filter still owns it (the refused call did nothing): it frees it as it should have.
                own.free();
            }
            pool.close();
            protocol.close();
        }
    }

    @Test
    void sourceHandlesAreCheckedWhereNblsEnterTheStack() {
        try (Ndis ndis = Stacks.verifiedNdis()) {
            ManualMiniport miniport = new ManualMiniport();
            TestProtocol protocol = new TestProtocol(ndis, Stacks.log());
            var pool = Stacks.dataPool(ndis, "Srch");
            try (Adapter adapter = Adapter.builder(ndis).miniport(miniport).build()) {
                protocol.bindTo(adapter);
                NetBufferList anonymous = Stacks.packet(pool, Stacks.udp4(1, 2, 3, 4), "someone else");
                RuleViolation send =
                        assertThrows(RuleViolation.class, () -> adapter.sendNetBufferLists(anonymous, 0, 0));
                assertEquals(NdisRule.NBL_MISROUTED, send.rule());
                assertTrue(send.getMessage().contains("NdisBindingHandle"), send.getMessage());
                RuleViolation indicate = assertThrows(
                        RuleViolation.class, () -> miniport.edge().indicateReceiveNetBufferLists(anonymous, 0, 1, 0));
                assertTrue(indicate.getMessage().contains("MiniportAdapterHandle"), indicate.getMessage());
                assertEquals(List.of(), miniport.sent);
                assertEquals(List.of(), protocol.received);
                anonymous.free();
            }
            pool.close();
            protocol.close();
        }
    }
}
