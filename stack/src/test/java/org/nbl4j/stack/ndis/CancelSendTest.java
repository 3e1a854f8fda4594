package org.nbl4j.stack.ndis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;

/** Cancellation (§6.7): a filter that queues sends aborts the ones carrying the cancel id and forwards the cancel. */
class CancelSendTest {

    /** Queues every send from above until released; completes cancelled ones with SEND_ABORTED, paused ones PAUSED. */
    private static final class QueueingLwf implements LwfHandlers {
        private final List<NetBufferList> queued = new ArrayList<>();
        private final List<String> log;

        QueueingLwf(List<String> log) {
            this.log = log;
        }

        @Override
        public synchronized void sendNetBufferLists(
                LwfHandle handle, NetBufferList chain, int portNumber, int sendFlags) {
            queued.addAll(Stacks.list(chain));
        }

        @Override
        public void cancelSendNetBufferLists(LwfHandle handle, long cancelId) {
            log.add("Q cancel " + cancelId);
            List<NetBufferList> aborted = new ArrayList<>();
            synchronized (this) {
                queued.removeIf(nbl -> nbl.cancelId() == cancelId && aborted.add(nbl));
            }
            if (!aborted.isEmpty()) {
                aborted.forEach(nbl -> nbl.setStatus(NtStatus.NDIS_STATUS_SEND_ABORTED));
                handle.sendNetBufferListsComplete(Stacks.chain(aborted.toArray(NetBufferList[]::new)), 0);
            }
            handle.cancelSendNetBufferLists(cancelId);
        }

        @Override
        public int pause(LwfHandle handle) {
            List<NetBufferList> paused;
            synchronized (this) {
                paused = new ArrayList<>(queued);
                queued.clear();
            }
            if (!paused.isEmpty()) {
                paused.forEach(nbl -> nbl.setStatus(NtStatus.NDIS_STATUS_PAUSED));
                handle.sendNetBufferListsComplete(Stacks.chain(paused.toArray(NetBufferList[]::new)), 0);
            }
            return NtStatus.NDIS_STATUS_SUCCESS;
        }
    }

    @Test
    void cancelledSendsCompleteWithSendAbortedToTheirOriginators() {
        List<String> log = Stacks.log();
        List<OriginatingLwf> origins = new ArrayList<>();
        try (Ndis ndis = Stacks.verifiedNdis()) {
            ManualMiniport miniport = new ManualMiniport();
            TestProtocol protocol = new TestProtocol(ndis, log);
            try (Adapter adapter = Adapter.builder(ndis)
                    .miniport(miniport)
                    .lwf("O", OriginatingLwf.driver("O", log, origins))
                    .lwf("R", RecordingLwf.driver("R", log))
                    .lwf("Q", handle -> new QueueingLwf(log))
                    .build()) {
                protocol.bindTo(adapter);
                OriginatingLwf origin = origins.getFirst();
                long cancelId = 0x5A00_0000_0000_0001L;
                NetBufferList mine = origin.send(Stacks.udp4(1, 2, 3, 4), cancelId);
                NetBufferList kept = protocol.packet(Stacks.udp4(5, 6, 7, 8));
                kept.setCancelId(0x5A00_0000_0000_0002L);
                NetBufferList cancelled = protocol.packet(Stacks.udp4(9, 10, 11, 12));
                cancelled.setCancelId(cancelId);
                adapter.sendNetBufferLists(Stacks.chain(kept, cancelled), 0, 0);
                log.clear();

                adapter.cancelSendNetBufferLists(cancelId);
                assertEquals("R cancel", log.getFirst(), "the cancel goes down through the stack");
                assertEquals("Q cancel " + cancelId, log.get(1));
                assertEquals(List.of(NtStatus.NDIS_STATUS_SEND_ABORTED), origin.ownCompleted);
                assertEquals(1, protocol.completed.size());
                assertSame(cancelled, protocol.completed.getFirst().nbl());
                assertEquals(
                        NtStatus.NDIS_STATUS_SEND_ABORTED,
                        protocol.completed.getFirst().status());
                assertEquals(List.of(), miniport.sent, "nothing reached the miniport");
                assertEquals(0, origin.handle().outstandingSends());
                assertFalse(mine.isAllocated(), "the originator freed its aborted NBL");

                // The protocol's pause waits for its outstanding sends, so the queue must give them back first.
                adapter.cancelSendNetBufferLists(0x5A00_0000_0000_0002L);
                assertSame(kept, protocol.completed.get(1).nbl());
            }
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }
}
