package org.nbl4j.stack.ndis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;

/** The in-memory device: RSS queue selection, receive buffers and discards, RESOURCES, asynchronous sends. */
class MemoryMiniportTest {

    record Hash(int value, int type, int function) {}

    /** A pass-through filter that records the hash slots of what it receives. */
    private static LwfDriver hashRecorder(List<Hash> hashes) {
        return handle -> new LwfHandlers() {
            @Override
            public void receiveNetBufferLists(
                    LwfHandle from, NetBufferList chain, int portNumber, int count, int receiveFlags) {
                for (NetBufferList nbl = chain; nbl != null; nbl = nbl.next()) {
                    hashes.add(new Hash(nbl.hashValue(), nbl.hashType(), nbl.hashFunction()));
                }
                from.indicateReceiveNetBufferLists(chain, portNumber, count, receiveFlags);
            }
        };
    }

    @Test
    void eachPacketIsIndicatedFromTheQueueItsToeplitzHashSelects() {
        List<Hash> hashes = new ArrayList<>();
        try (Ndis ndis = Stacks.verifiedNdis()) {
            MemoryMiniport miniport = MemoryMiniport.builder().receiveQueues(4).build();
            TestProtocol protocol = new TestProtocol(ndis, Stacks.log());
            try (Adapter adapter = Adapter.builder(ndis)
                    .miniport(miniport)
                    .lwf("H", hashRecorder(hashes))
                    .build()) {
                protocol.bindTo(adapter);
                for (int port = 1000; port < 1040; port++) {
                    byte[] packet = Stacks.udp4(7, 8, port, 53);
                    int expectedHash = Toeplitz.microsoftDefault().hash(tuple(packet));
                    int expectedQueue = (expectedHash & 127) % 4;
                    assertTrue(miniport.receive(packet));
                    for (int queue = 0; queue < 4; queue++) {
                        if (queue != expectedQueue) {
                            assertEquals(0, adapter.poll(queue, 8), "port " + port + " not on queue " + queue);
                        }
                    }
                    assertEquals(1, adapter.poll(expectedQueue, 8));
                    assertArrayEquals(packet, protocol.received.getLast().bytes());
                    assertEquals(
                            new Hash(
                                    expectedHash,
                                    ReceiveSideScaling.NDIS_HASH_UDP_IPV4,
                                    ReceiveSideScaling.NDIS_HASH_FUNCTION_TOEPLITZ),
                            hashes.getLast());
                }
                assertEquals(
                        4,
                        hashes.stream()
                                .map(h -> (h.value() & 127) % 4)
                                .distinct()
                                .count(),
                        "all queues used");
            }
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void fragmentsAndUnknownProtocolsHashOnAddressesOnly() {
        ReceiveSideScaling rss = ReceiveSideScaling.spreading(1);
        byte[] fragment = Stacks.udp4(1, 2, 3, 4);
        fragment[6] = 0x20; // More Fragments: the ports may not be there
        long packed = rss.hashPacket(MemorySegment.ofArray(fragment), 0, fragment.length);
        assertEquals(ReceiveSideScaling.NDIS_HASH_IPV4, ReceiveSideScaling.hashType(packed));
        assertEquals(
                Toeplitz.microsoftDefault().hash(Arrays.copyOfRange(fragment, 12, 20)),
                ReceiveSideScaling.hashValue(packed));
        assertEquals(0, rss.hashPacket(MemorySegment.ofArray(new byte[] {0x45, 0}), 0, 2), "truncated header");
        assertThrows(
                IllegalArgumentException.class, () -> new ReceiveSideScaling(Toeplitz.microsoftDefault(), new int[3]));
    }

    @Test
    void onlyACoalescedPacketMayBeLongerThanTheMtuUpToTheLargestCoalesced() {
        try (Ndis ndis = Stacks.verifiedNdis()) {
            MemoryMiniport miniport = MemoryMiniport.builder()
                    .largestCoalesced(9000)
                    .lowWaterMark(0)
                    .build();
            TestProtocol protocol = new TestProtocol(ndis, Stacks.log());
            try (Adapter adapter = Adapter.builder(ndis).miniport(miniport).build()) {
                protocol.bindTo(adapter);
                assertFalse(miniport.receive(new byte[1501], 0, 0), "a plain frame fits the MTU");
                assertFalse(miniport.receive(new byte[9001], 0, 7), "longer than the largest coalesced packet");
                byte[] coalesced = new byte[9000];
                coalesced[0] = 0x45;
                assertTrue(miniport.receive(coalesced, 0, 7));
                assertEquals(1, adapter.poll(0, 8));
                assertEquals(9000, protocol.received.getLast().bytes().length);
                assertEquals(2, miniport.statistics().receiveErrors());
            }
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void anLsoV1SendCompletesWithTheTcpPayloadItCarried() {
        OffloadCapabilities lso =
                new OffloadCapabilities(true, true, true, true, 65_535, 2, false, false, false, false);
        try (Ndis ndis = Stacks.verifiedNdis()) {
            MemoryMiniport miniport = MemoryMiniport.builder().offloads(lso).build();
            TestProtocol protocol = new TestProtocol(ndis, Stacks.log());
            try (Adapter adapter = Adapter.builder(ndis).miniport(miniport).build()) {
                protocol.bindTo(adapter);
                // IPv4 (20 bytes), TCP with a timestamp option (32 bytes), 1,900 payload bytes: 4 segments of 500
                // at most (within the test pool's 2,048-byte buffers).
                byte[] packet = new byte[20 + 32 + 1900];
                packet[0] = 0x45;
                packet[9] = 6;
                packet[20 + 12] = (byte) 0x80;
                NetBufferList nbl = protocol.packet(packet);
                OffloadInfo.setLargeSend(nbl, OffloadInfo.NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE, 500, 20, false);
                protocol.binding().sendNetBufferLists(nbl, NdisFlags.NDIS_DEFAULT_PORT_NUMBER, 0);
                adapter.poll(0, 8);
                assertEquals(1, protocol.completed.size());
                assertEquals(
                        NtStatus.NDIS_STATUS_SUCCESS,
                        protocol.completed.getFirst().status());
                assertEquals(1900, protocol.completed.getFirst().payloadSent(), "LsoV1TransmitComplete.TcpPayload");
            }
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void withoutAFreeBufferOrRoomOnTheRingAPacketIsDiscarded() {
        try (Ndis ndis = Stacks.verifiedNdis()) {
            MemoryMiniport miniport = MemoryMiniport.builder()
                    .receiveBuffers(3)
                    .ringCapacity(2)
                    .lowWaterMark(0)
                    .build();
            TestProtocol protocol = new TestProtocol(ndis, Stacks.log());
            try (Adapter adapter = Adapter.builder(ndis).miniport(miniport).build()) {
                protocol.bindTo(adapter);
                protocol.hold = true;
                assertTrue(miniport.receive(Stacks.udp4(1, 1, 1, 1)));
                assertTrue(miniport.receive(Stacks.udp4(1, 1, 1, 2)));
                assertFalse(miniport.receive(Stacks.udp4(1, 1, 1, 3)), "the ring holds 2");
                assertEquals(2, adapter.poll(0, 8));
                assertTrue(miniport.receive(Stacks.udp4(1, 1, 1, 4)));
                assertFalse(miniport.receive(Stacks.udp4(1, 1, 1, 5)), "all 3 buffers are taken");
                assertFalse(miniport.receive(new byte[1501]), "longer than the MTU");
                assertFalse(miniport.receive(new byte[0]));
                MiniportStatistics statistics = miniport.statistics();
                assertEquals(2, statistics.receiveDiscards());
                assertEquals(2, statistics.receiveErrors());
                assertEquals(2, statistics.receivedPackets());

                protocol.returnHeld();
                assertEquals(1, adapter.poll(0, 8));
                protocol.returnHeld();
                assertEquals(3, miniport.freeReceiveBuffers());
            }
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void belowTheLowWaterMarkIndicationsCarryResourcesAndOwnershipReturnsOnCallReturn() {
        try (Ndis ndis = Stacks.verifiedNdis()) {
            MemoryMiniport miniport =
                    MemoryMiniport.builder().receiveBuffers(4).lowWaterMark(3).build();
            TestProtocol protocol = new TestProtocol(ndis, Stacks.log());
            try (Adapter adapter = Adapter.builder(ndis).miniport(miniport).build()) {
                protocol.bindTo(adapter);
                protocol.hold = true;
                miniport.receive(Stacks.udp4(1, 1, 1, 1));
                assertEquals(1, adapter.poll(0, 8));
                assertEquals(0, protocol.received.getFirst().flags() & NdisFlags.NDIS_RECEIVE_FLAGS_RESOURCES);
                assertEquals(1, protocol.held.size(), "RESOURCES clear: the protocol may keep it");

                miniport.receive(Stacks.udp4(1, 1, 1, 2));
                miniport.receive(Stacks.udp4(1, 1, 1, 3));
                assertEquals(2, adapter.poll(0, 8));
                int flags = protocol.received.getLast().flags();
                assertTrue(NdisFlags.receiveCannotPend(flags), "1 of 4 buffers free after dequeue: below 3");
                assertEquals(1, protocol.held.size(), "RESOURCES set: TestProtocol did not keep them");
                assertEquals(3, miniport.freeReceiveBuffers(), "back to the miniport when the indication returned");

                protocol.returnHeld();
                assertEquals(4, miniport.freeReceiveBuffers());
            }
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void returningAnNblIndicatedWithResourcesIsAnError() {
        try (Ndis ndis = Stacks.verifiedNdis()) {
            MemoryMiniport miniport =
                    MemoryMiniport.builder().receiveBuffers(2).lowWaterMark(2).build();
            List<NetBufferList> kept = new ArrayList<>();
            Protocol keeper = new Protocol() {
                @Override
                public void receiveNetBufferLists(
                        ProtocolBinding binding, NetBufferList chain, int port, int count, int receiveFlags) {
                    kept.add(chain);
                }

                @Override
                public void sendNetBufferListsComplete(ProtocolBinding binding, NetBufferList chain, int flags) {}
            };
            try (Adapter adapter = Adapter.builder(ndis).miniport(miniport).build()) {
                adapter.bind(keeper);
                miniport.receive(Stacks.udp4(1, 1, 1, 1));
                assertEquals(1, adapter.poll(0, 8));
                IllegalStateException error = assertThrows(
                        IllegalStateException.class, () -> adapter.returnNetBufferLists(kept.getFirst(), 0));
                assertTrue(error.getMessage().contains("RESOURCES"), error.getMessage());
            }
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void sendsGoToTheSinkAtOnceAndCompleteOnQueueZerosNextService() {
        List<byte[]> wire = new ArrayList<>();
        try (Ndis ndis = Stacks.verifiedNdis();
                Arena arena = Arena.ofConfined()) {
            MemoryMiniport miniport = MemoryMiniport.builder()
                    .receiveQueues(2)
                    .transmitSink(nbl -> wire.add(Stacks.bytes(nbl)))
                    .build();
            TestProtocol protocol = new TestProtocol(ndis, Stacks.log());
            try (Adapter adapter = Adapter.builder(ndis).miniport(miniport).build()) {
                protocol.bindTo(adapter);
                byte[] packet = Stacks.udp4(1, 2, 3, 4);
                protocol.send(packet);
                assertEquals(1, wire.size());
                assertEquals(0, adapter.poll(1, 8), "queue 1 does not complete sends");
                assertEquals(List.of(), protocol.completed);
                assertEquals(1, adapter.poll(0, 8));
                assertEquals(
                        NtStatus.NDIS_STATUS_SUCCESS,
                        protocol.completed.getFirst().status());

                miniport.failSendsWith(NtStatus.NDIS_STATUS_RESOURCES);
                protocol.send(packet);
                miniport.failSendsWith(NtStatus.NDIS_STATUS_SUCCESS);
                miniport.setLinkState(LinkState.DISCONNECTED);
                protocol.send(packet);
                miniport.setLinkState(LinkState.CONNECTED);
                adapter.poll(0, 8);
                assertEquals(
                        NtStatus.NDIS_STATUS_RESOURCES,
                        protocol.completed.get(1).status());
                assertEquals(
                        NtStatus.NDIS_STATUS_MEDIA_DISCONNECTED,
                        protocol.completed.get(2).status());
                assertEquals(1, wire.size(), "failed sends never reach the wire");
                assertEquals(new MiniportStatistics(0, 0, 0, 0, 1, 28, 2), miniport.statistics());

                MemorySegment offHeap = arena.allocate(28);
                MemorySegment.copy(MemorySegment.ofArray(packet), 0, offHeap, 0, 28);
                assertTrue(miniport.receive(offHeap, 0, 28));
                adapter.poll(0, 8);
                adapter.poll(1, 8);
                assertArrayEquals(packet, protocol.received.getFirst().bytes());
            }
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    @Test
    void haltingWithIndicatedNblsOutstandingNamesThem() {
        try (Ndis ndis = Stacks.verifiedNdis()) {
            MemoryMiniport miniport = MemoryMiniport.builder().build();
            TestProtocol protocol = new TestProtocol(ndis, Stacks.log());
            Adapter adapter = Adapter.builder(ndis)
                    .miniport(miniport)
                    .pauseTimeout(java.time.Duration.ofMillis(20))
                    .build();
            protocol.bindTo(adapter);
            protocol.hold = true;
            miniport.receive(Stacks.udp4(1, 1, 1, 1));
            adapter.poll(0, 8);
            IllegalStateException error = assertThrows(IllegalStateException.class, adapter::close);
            assertTrue(error.getMessage().contains("receive buffer"), error.getMessage());
            assertTrue(error.getMessage().contains("1 indicated NBLs not returned"), error.getMessage());
            protocol.returnHeld();
            miniport.close();
            protocol.close();
            Stacks.assertClean(ndis);
        }
    }

    /** Source address, destination address, source port, destination port of an IPv4/UDP packet. */
    private static byte[] tuple(byte[] packet) {
        return ByteBuffer.allocate(12).put(packet, 12, 8).put(packet, 20, 4).array();
    }
}
