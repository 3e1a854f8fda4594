package org.nbl4j.io.tun;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.io.testing.Commands;
import org.nbl4j.io.testing.TestTools;
import org.nbl4j.stack.ddk.NDIS_OID_REQUEST;
import org.nbl4j.stack.ndis.LinkState;
import org.nbl4j.stack.ndis.LinkStateIndication;
import org.nbl4j.stack.ndis.MiniportStatistics;
import org.nbl4j.stack.ndis.NdisFlags;
import org.nbl4j.stack.ndis.OffloadInfo;
import org.nbl4j.stack.ndis.Oids;
import org.nbl4j.stack.ndis.StatusIndication;

/**
 * TunMiniport over a real TUN interface moved into a network namespace of the test's own, where ping and the kernel
 * talk to it through documentation addresses only. Skipped unless root with /dev/net/tun, iproute2 and ping.
 */
class TunMiniportTest {
    private static final int MTU = 1500;
    private static final long SERVE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private @Nullable Namespace namespace;
    private @Nullable Ndis ndis;
    private @Nullable RecordingEdge edge;
    private @Nullable TunMiniport miniport;
    private @Nullable PacketSender sender;
    private int sent;

    @BeforeEach
    void requireTunAndTools() {
        TestTools.requireTun();
        TestTools.require("ip", "ping");
    }

    /** A miniport over a fresh TUN interface, initialized, moved into a fresh namespace, addressed and up. */
    private TunMiniport start(int queues, int receiveNblsPerQueue, boolean ipv6, String... addresses) throws Exception {
        return start(TunOffloads.NONE, queues, receiveNblsPerQueue, ipv6, addresses);
    }

    private TunMiniport start(
            TunOffloads offloads, int queues, int receiveNblsPerQueue, boolean ipv6, String... addresses)
            throws Exception {
        return start(offloads, TunMiniport.ChainWrites.IO_URING, queues, receiveNblsPerQueue, ipv6, addresses);
    }

    private TunMiniport start(
            TunOffloads offloads,
            TunMiniport.ChainWrites chainWrites,
            int queues,
            int receiveNblsPerQueue,
            boolean ipv6,
            String... addresses)
            throws Exception {
        namespace = Namespace.create();
        ndis = Ndis.create();
        edge = new RecordingEdge(ndis);
        sender = new PacketSender(ndis, 8192);
        TunDevice device = TunDevice.open(Namespace.interfaceName(), queues, true, offloads);
        try {
            miniport = new TunMiniport(device, MTU, receiveNblsPerQueue, chainWrites);
        } catch (RuntimeException | TunException e) {
            device.close();
            throw e;
        }
        edge.expectSource(miniport);
        miniport.initialize(edge);
        namespace.adopt(device.name(), ipv6, addresses);
        return miniport;
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            TunMiniport open = miniport;
            RecordingEdge recording = edge;
            if (open != null && recording != null && open.linkState() == LinkState.CONNECTED) {
                recording.returnHeld(open);
                for (int queue = 0; queue < open.receiveQueueCount(); queue++) {
                    open.serviceQueue(queue, 0);
                }
                releaseCompleted();
                open.close();
            }
        } finally {
            try {
                if (sender != null) {
                    sender.close();
                }
                if (ndis != null) {
                    ndis.close();
                }
            } finally {
                if (namespace != null) {
                    namespace.close();
                }
            }
        }
    }

    @Test
    void answersAnIpv4PingThroughIndicationsAndSends() throws Exception {
        TunMiniport tun = start(1, 64, false, "192.0.2.1/24");
        assertEquals(LinkState.CONNECTED, tun.linkState());
        Process ping = namespace().start("ping", "-c", "3", "-i", "0.2", "-W", "1", "192.0.2.2");
        int answered = answerPings(ping);
        Commands.Result result = Commands.finish(ping, Duration.ofSeconds(5));

        assertEquals(0, result.exitCode(), result.output());
        assertTrue(answered >= 3, "echo requests seen: " + answered);
        for (RecordingEdge.Received packet : edge().received) {
            assertEquals(0x45, packet.bytes()[0] & 0xFF, "raw IPv4, no packet-information header");
        }
        finishAndCheckNothingLeaks(tun, answered);
    }

    @Test
    void answersAnIpv6Ping() throws Exception {
        TunMiniport tun = start(1, 64, true, "2001:db8::1/64");
        Process ping = namespace().start("ping", "-6", "-c", "3", "-i", "0.2", "-W", "1", "2001:db8::2");
        int answered = answerPings(ping);
        Commands.Result result = Commands.finish(ping, Duration.ofSeconds(5));

        assertEquals(0, result.exitCode(), result.output());
        assertTrue(answered >= 3, "echo requests seen: " + answered);
        finishAndCheckNothingLeaks(tun, answered);
    }

    @Test
    void twoQueuesEachSendAndReceive() throws Exception {
        TunMiniport tun = start(2, 16, false, "192.0.2.1/24");
        assertEquals(2, tun.receiveQueueCount());
        int perQueue = 4;
        List<List<NetBufferList>> sentOn = List.of(new ArrayList<>(), new ArrayList<>());
        for (int queue = 0; queue < 2; queue++) {
            for (int k = 0; k < perQueue; k++) {
                String peer = "192.0.2." + (10 + 10 * queue + k);
                NetBufferList request = sender().whole(IcmpEcho.ipv4Request(peer, "192.0.2.1", 0x4242, k));
                // Hash value modulo the queue count picks the queue (no Toeplitz hash yet).
                request.setHashValue(queue);
                sentOn.get(queue).add(request);
                tun.sendNetBufferLists(request, 0, 0);
                sent++;
            }
        }
        int[] replies = new int[2];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (replies[0] + replies[1] < 2 * perQueue && System.nanoTime() < deadline) {
            for (int queue = 0; queue < 2; queue++) {
                tun.awaitWork(queue, SERVE_NANOS / 2);
                int before = edge().received.size();
                int completedBefore = edge().completed.size();
                tun.serviceQueue(queue, 16);
                for (RecordingEdge.Received packet :
                        edge().received.subList(before, edge().received.size())) {
                    assertTrue(IcmpEcho.isIpv4Reply(packet.bytes()));
                    assertTrue(IcmpEcho.ipv4ChecksumsHold(packet.bytes()));
                    replies[queue]++;
                }
                for (NetBufferList done : edge().completed
                        .subList(completedBefore, edge().completed.size())) {
                    assertTrue(sentOn.get(queue).remove(done), "a send completes on the queue it was written to");
                }
                edge().returnHeld(tun);
            }
        }
        assertEquals(2 * perQueue, replies[0] + replies[1], "every request written on either queue was answered");
        assertTrue(replies[0] > 0 && replies[1] > 0, "both queues received: " + replies[0] + ", " + replies[1]);
        assertTrue(sentOn.get(0).isEmpty() && sentOn.get(1).isEmpty(), "every send completed");
        for (int flags : edge().completionFlags) {
            assertEquals(0x1, flags, "NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL");
        }
        finishAndCheckNothingLeaks(tun, 2 * perQueue);
    }

    @Test
    void lowOnNblsItIndicatesWithResourcesAndDropsWhatDoesNotFit() throws Exception {
        // Two NBLs, low-water mark 1: five queued packets give one indication of two with RESOURCES and three
        // discards, and the NBLs are the miniport's again as soon as the indication returns (ndis-buffers §6.4).
        TunMiniport tun = start(1, 2, false, "192.0.2.1/24");
        queueUnansweredPings(5);

        assertEquals(2, tun.serviceQueue(0, 8));
        assertEquals(
                List.of(NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL | NdisFlags.NDIS_RECEIVE_FLAGS_RESOURCES),
                edge().indicationFlags);
        assertEquals(0, edge().held());
        MiniportStatistics statistics = tun.statistics();
        assertEquals(2, statistics.receivedPackets());
        assertEquals(3, statistics.receiveDiscards());
        assertEquals(0, tun.serviceQueue(0, 8), "the dropped packets were read: the kernel queue is empty");
        finishAndCheckNothingLeaks(tun, 0);
    }

    @Test
    void haltIsRefusedWhileIndicatedNblsAreOut() throws Exception {
        TunMiniport tun = start(1, 16, false, "192.0.2.1/24");
        queueUnansweredPings(3);
        assertEquals(3, tun.serviceQueue(0, 8));
        assertEquals(List.of(NdisFlags.NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL), edge().indicationFlags);
        assertEquals(3, edge().held());

        IllegalStateException refused = assertThrows(IllegalStateException.class, tun::close);
        assertTrue(refused.getMessage().contains("3 indicated NBL(s) have not been returned"), refused.getMessage());
        assertEquals(LinkState.CONNECTED, tun.linkState(), "nothing was released");

        edge().returnHeld(tun);
        finishAndCheckNothingLeaks(tun, 0);
    }

    @Test
    void badSendsCompleteWithTheirStatusAndCountAsDiscards() throws Exception {
        TunMiniport tun = start(1, 4, false, "192.0.2.1/24");
        NetBufferList tooLong = sender().whole(new byte[MTU + 1]);
        byte[] notIp = IcmpEcho.ipv4Request("192.0.2.9", "192.0.2.1", 1, 1);
        notIp[0] = 0x05;
        NetBufferList garbage = sender().split(notIp, 10);
        tooLong.setNext(garbage);
        tun.sendNetBufferLists(tooLong, 0, 0);
        sent = 2;

        assertEquals(2, tun.serviceQueue(0, 0), "completions come from the queue's next DPC");
        assertEquals(List.of(tooLong, garbage), edge().completed);
        assertEquals(NtStatus.NDIS_STATUS_INVALID_LENGTH, tooLong.status());
        assertEquals(NtStatus.NDIS_STATUS_FAILURE, garbage.status(), "the kernel refuses a packet that is not IP");
        assertEquals(2, tun.statistics().sendDiscards());
        assertEquals(0, tun.statistics().sentPackets());
        finishAndCheckNothingLeaks(tun, 0);
    }

    @Test
    void theKernelGrantsTheOffloadsAndAnLsoSendCompletesWithThePayloadSent() throws Exception {
        TunMiniport tun = start(TunOffloads.ALL, 1, 4, false, "192.0.2.1/24");
        TunOffloads granted = tun.deviceOffloads();
        assertTrue(granted.virtioHeader() && granted.checksum(), "granted: " + granted);
        assertTrue(granted.tcpSegmentation(false) && granted.tcpSegmentation(true), "granted: " + granted);
        assertTrue(tun.offloadCapabilities().largeSend(false));
        byte[] packet = lsoPacket();
        NetBufferList lso = sender().whole(packet);
        OffloadInfo.setLargeSend(lso, OffloadInfo.NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE, 1400, 20, false);
        tun.sendNetBufferLists(lso, 0, 0);
        sent = 1;
        assertEquals(1, tun.serviceQueue(0, 0));
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, lso.status());
        assertEquals(4000, OffloadInfo.largeSendPayloadSent(lso), "LsoV1TransmitComplete.TcpPayload");
        byte[] after = Objects.requireNonNull(lso.firstNetBuffer()).toByteArray();
        assertEquals(packet[36], after[36], "the miniport put the field back as the sender left it");
        assertEquals(packet[37], after[37]);
        finishAndCheckNothingLeaks(tun, 1);
    }

    @ParameterizedTest
    @EnumSource(TunMiniport.ChainWrites.class)
    @DisplayName("A chain of 16 echo requests: one io_uring_enter (16 writev packet by packet), each arrives whole")
    void aChainIsWrittenWithOneSystemCall(TunMiniport.ChainWrites chainWrites) throws Exception {
        TunMiniport tun = start(TunOffloads.NONE, chainWrites, 1, 64, false, "192.0.2.1/24");
        List<byte[]> requests = new ArrayList<>();
        NetBufferList chain = null;
        for (int i = 15; i >= 0; i--) {
            byte[] request = IcmpEcho.ipv4Request("192.0.2.9", "192.0.2.1", 0x4E42, i);
            requests.addFirst(request);
            // Every other packet over two MDLs: a ring entry's writev gathers too.
            NetBufferList nbl = i % 2 == 0 ? sender().whole(request) : sender().split(request, 28);
            nbl.setNext(chain);
            chain = nbl;
        }
        long callsBefore = tun.sendSystemCalls();
        tun.sendNetBufferLists(chain, 0, 0);
        sent = 16;

        boolean ring = chainWrites == TunMiniport.ChainWrites.IO_URING;
        assertFalse(ring && SendSlots.ringRefused(), "io_uring_setup refused: is kernel.io_uring_disabled set?");
        assertEquals(ring ? 1 : 16, tun.sendSystemCalls() - callsBefore, "system calls for the chain");
        assertEquals(16, tun.serviceQueue(0, 0), "every send completes");
        for (NetBufferList nbl : edge().completed) {
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nbl.status());
        }
        assertRepliesInOrder(tun, requests);
        finishAndCheckNothingLeaks(tun, 16);
    }

    @ParameterizedTest
    @EnumSource(TunMiniport.ChainWrites.class)
    @DisplayName("In a chain, a packet longer than the MTU and one the kernel refuses fail alone; the others arrive")
    void failuresInAChainFailOnlyTheirNbl(TunMiniport.ChainWrites chainWrites) throws Exception {
        TunMiniport tun = start(TunOffloads.NONE, chainWrites, 1, 64, false, "192.0.2.1/24");
        byte[] notIp = IcmpEcho.ipv4Request("192.0.2.9", "192.0.2.1", 0x4E42, 99);
        notIp[0] = 0x05;
        List<byte[]> answered = new ArrayList<>();
        List<NetBufferList> nbls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] request = IcmpEcho.ipv4Request("192.0.2.9", "192.0.2.1", 0x4E42, i);
            NetBufferList nbl = switch (i) {
                case 2 -> sender().whole(new byte[MTU + 1]);
                case 4 -> sender().whole(notIp);
                default -> {
                    answered.add(request);
                    yield sender().whole(request);
                }
            };
            if (!nbls.isEmpty()) {
                nbls.getLast().setNext(nbl);
            }
            nbls.add(nbl);
        }
        long callsBefore = tun.sendSystemCalls();
        tun.sendNetBufferLists(nbls.getFirst(), 0, 0);
        sent = 6;

        boolean ring = chainWrites == TunMiniport.ChainWrites.IO_URING;
        assertEquals(ring ? 1 : 5, tun.sendSystemCalls() - callsBefore, "the over-long packet is never written");
        assertEquals(6, tun.serviceQueue(0, 0));
        assertEquals(nbls, edge().completed, "completed in chain order");
        List<Integer> statuses = nbls.stream().map(NetBufferList::status).toList();
        assertEquals(
                List.of(
                        NtStatus.NDIS_STATUS_SUCCESS,
                        NtStatus.NDIS_STATUS_SUCCESS,
                        NtStatus.NDIS_STATUS_INVALID_LENGTH,
                        NtStatus.NDIS_STATUS_SUCCESS,
                        NtStatus.NDIS_STATUS_FAILURE,
                        NtStatus.NDIS_STATUS_SUCCESS),
                statuses,
                "the kernel refuses a packet that is not IP (EINVAL in its completion)");
        assertRepliesInOrder(tun, answered);
        finishAndCheckNothingLeaks(tun, 4);
    }

    @Test
    @DisplayName("A chain of 300 packets: the ring's 256 entries, then the rest: two io_uring_enter calls")
    void aChainLongerThanTheRingTakesOneCallPerRingful() throws Exception {
        TunMiniport tun = start(TunOffloads.NONE, TunMiniport.ChainWrites.IO_URING, 1, 64, false, "192.0.2.1/24");
        List<byte[]> requests = new ArrayList<>();
        NetBufferList chain = null;
        for (int i = 299; i >= 0; i--) {
            byte[] request = IcmpEcho.ipv4Request("192.0.2.9", "192.0.2.1", 0x4E42, i);
            requests.addFirst(request);
            NetBufferList nbl = sender().whole(request);
            nbl.setNext(chain);
            chain = nbl;
        }
        long callsBefore = tun.sendSystemCalls();
        tun.sendNetBufferLists(chain, 0, 0);
        sent = 300;

        assertEquals(2, tun.sendSystemCalls() - callsBefore);
        assertEquals(300, tun.serviceQueue(0, 0));
        assertRepliesInOrder(tun, requests);
        finishAndCheckNothingLeaks(tun, 300);
    }

    @ParameterizedTest
    @EnumSource(TunMiniport.ChainWrites.class)
    @DisplayName("Writing chains of 16 packets and completing them allocates nothing per chain once warm")
    void writingChainsAllocatesNothing(TunMiniport.ChainWrites chainWrites) throws Exception {
        TunMiniport tun = start(TunOffloads.NONE, chainWrites, 1, 4, false, "192.0.2.1/24");
        NetBufferList[] nbls = new NetBufferList[16];
        for (int i = 0; i < nbls.length; i++) {
            // Nobody reads the replies: once the TUN queue is full the kernel drops them.
            byte[] request = IcmpEcho.ipv4Request("192.0.2.9", "192.0.2.1", 0x4E42, i);
            nbls[i] = i % 2 == 0 ? sender().whole(request) : sender().split(request, 28);
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int few = 2_000;
        int many = 10_000;
        writeChains(tun, nbls, few); // JIT, class loading, the thread's ring
        long before = threads.getCurrentThreadAllocatedBytes();
        writeChains(tun, nbls, few);
        long fewBytes = threads.getCurrentThreadAllocatedBytes() - before;
        before = threads.getCurrentThreadAllocatedBytes();
        writeChains(tun, nbls, many);
        long manyBytes = threads.getCurrentThreadAllocatedBytes() - before;

        long perExtraChain = (manyBytes - fewBytes) / (many - few);
        assertTrue(perExtraChain < 16, () -> perExtraChain + " B per extra chain of 16 packets");
        for (NetBufferList nbl : nbls) {
            sender().release(nbl);
        }
        long written = (2L * few + many) * nbls.length;
        sent = (int) written;
        assertEquals(written, tun.statistics().sentPackets(), "every packet was written");
        finishAndCheckNothingLeaks(tun, (int) written);
    }

    /** Sends {@code nbls} as one chain {@code rounds} times, each time completing it before the next. */
    private void writeChains(TunMiniport tun, NetBufferList[] nbls, int rounds) {
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < nbls.length - 1; i++) {
                nbls[i].setNext(nbls[i + 1]);
            }
            tun.sendNetBufferLists(nbls[0], 0, 0);
            assertEquals(nbls.length, tun.serviceQueue(0, 0));
            edge().completed.clear();
            edge().completionFlags.clear();
        }
    }

    /**
     * Serves queue 0 until one echo reply per request came back (bounded), and checks that the i-th reply answers the
     * i-th request: the kernel echoes the ICMP message, so its bytes show the request arrived whole.
     */
    private void assertRepliesInOrder(TunMiniport tun, List<byte[]> requests) throws Exception {
        List<byte[]> replies = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int seen = 0;
        while (replies.size() < requests.size() && System.nanoTime() < deadline) {
            tun.awaitWork(0, SERVE_NANOS);
            tun.serviceQueue(0, 64);
            List<RecordingEdge.Received> received = edge().received;
            for (; seen < received.size(); seen++) {
                byte[] packet = received.get(seen).bytes();
                if (IcmpEcho.isIpv4Reply(packet)) {
                    replies.add(packet);
                }
            }
            edge().returnHeld(tun);
            releaseCompleted();
        }
        assertEquals(requests.size(), replies.size(), "echo replies");
        for (int i = 0; i < requests.size(); i++) {
            byte[] expected = Objects.requireNonNull(IcmpEcho.replyTo(requests.get(i)));
            byte[] reply = replies.get(i);
            assertTrue(IcmpEcho.ipv4ChecksumsHold(reply));
            assertArrayEquals(
                    Arrays.copyOfRange(expected, 20, expected.length),
                    Arrays.copyOfRange(reply, 20, reply.length),
                    "reply " + i + " echoes request " + i);
        }
    }

    /**
     * A 4000-byte TCP payload to the namespace's address, to be sent as one LSOv1 send of MSS 1400; the checksum field
     * holds the pseudo-header sum without the TCP length, as Windows' TCP/IP leaves it for LSO.
     */
    private static byte[] lsoPacket() {
        byte[] packet = new byte[20 + 20 + 4000];
        packet[0] = 0x45;
        packet[2] = (byte) (packet.length >>> 8);
        packet[3] = (byte) packet.length;
        packet[6] = 0x40;
        packet[8] = 64;
        packet[9] = 6;
        byte[] source = {(byte) 192, 0, 2, 9};
        byte[] destination = {(byte) 192, 0, 2, 1};
        System.arraycopy(source, 0, packet, 12, 4);
        System.arraycopy(destination, 0, packet, 16, 4);
        packet[20] = 0x30; // source port 12345
        packet[21] = 0x39;
        packet[22] = 0x13; // destination port 5001
        packet[23] = (byte) 0x89;
        packet[32] = 0x50;
        packet[33] = 0x10; // ACK
        packet[34] = 0x20;
        int pseudo = 0xC000 + 0x0209 + 0xC000 + 0x0201 + 6;
        pseudo = (pseudo & 0xFFFF) + (pseudo >>> 16);
        packet[36] = (byte) (pseudo >>> 8);
        packet[37] = (byte) pseudo;
        TunMiniport.completeIpv4HeaderChecksum(java.lang.foreign.MemorySegment.ofArray(packet), 0);
        return packet;
    }

    @Test
    @DisplayName(
            "Two LSO sends over the same bytes in one chain: the second waits for the first's write, fields put back")
    void lsoSendsSharingTheirHeadersGoInTwoBatches() throws Exception {
        TunMiniport tun = start(TunOffloads.ALL, 1, 4, false, "192.0.2.1/24");
        byte[] packet = lsoPacket();
        NetBufferList lso = sender().whole(packet);
        OffloadInfo.setLargeSend(lso, OffloadInfo.NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE, 1400, 20, false);
        NetBufferList clone = Objects.requireNonNull(lso.allocateClone(null, null, 0));
        OffloadInfo.setLargeSend(clone, OffloadInfo.NDIS_TCP_LARGE_SEND_OFFLOAD_V1_TYPE, 1400, 20, false);
        lso.setNext(clone);
        long callsBefore = tun.sendSystemCalls();
        tun.sendNetBufferLists(lso, 0, 0);
        sent = 2;

        assertEquals(
                2, tun.sendSystemCalls() - callsBefore, "one io_uring_enter per batch: the shared field splits it");
        assertEquals(2, tun.serviceQueue(0, 0));
        assertEquals(List.of(lso, clone), edge().completed);
        for (NetBufferList nbl : edge().completed) {
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nbl.status());
            assertEquals(4000, OffloadInfo.largeSendPayloadSent(nbl), "LsoV1TransmitComplete.TcpPayload");
        }
        byte[] after = Objects.requireNonNull(lso.firstNetBuffer()).toByteArray();
        assertEquals(packet[36], after[36], "the miniport put the field back as the sender left it");
        assertEquals(packet[37], after[37]);
        edge().completed.remove(clone);
        clone.freeClone(0);
        finishAndCheckNothingLeaks(tun, 2);
    }

    @Test
    void aCompletionWakesAWaitingQueue() throws Exception {
        TunMiniport tun = start(1, 4, false, "192.0.2.1/24");
        long[] waited = new long[1];
        Thread queueThread = Thread.ofPlatform().start(() -> {
            long begin = System.nanoTime();
            try {
                tun.awaitWork(0, TimeUnit.SECONDS.toNanos(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            waited[0] = System.nanoTime() - begin;
        });
        Thread.sleep(200);
        byte[] notIp = new byte[40];
        tun.sendNetBufferLists(sender().whole(notIp), 0, 0);
        sent = 1;
        queueThread.join(TimeUnit.SECONDS.toMillis(25));
        assertTrue(waited[0] < TimeUnit.SECONDS.toNanos(10), "woken by the completion, not the timeout: " + waited[0]);
        assertEquals(1, tun.serviceQueue(0, 0));
        finishAndCheckNothingLeaks(tun, 0);
    }

    @Test
    void misuseIsRefused() throws Exception {
        TunMiniport tun = start(1, 4, false, "192.0.2.1/24");
        assertThrows(IllegalStateException.class, () -> tun.initialize(edge()));
        NetBufferList foreign = sender().whole(new byte[20]);
        assertThrows(IllegalArgumentException.class, () -> tun.returnNetBufferLists(foreign, 0));
        sender().release(foreign);
        try (TunDevice blocking = TunDevice.open(Namespace.interfaceName(), 1, false)) {
            assertThrows(IllegalArgumentException.class, () -> new TunMiniport(blocking, MTU));
        }
        try (TunDevice device = TunDevice.open(Namespace.interfaceName(), 1, true)) {
            assertThrows(IllegalArgumentException.class, () -> new TunMiniport(device, 67));
            assertThrows(IllegalArgumentException.class, () -> new TunMiniport(device, MTU, 0));
        }
        finishAndCheckNothingLeaks(tun, 0);
        assertEquals(LinkState.DISCONNECTED, tun.linkState());
        assertThrows(IllegalStateException.class, () -> tun.serviceQueue(0, 1));
    }

    @Test
    @DisplayName("ip link set down and up in the interface's namespace: the miniport indicates NDIS_STATUS_LINK_STATE"
            + " disconnected, then connected, once each, and OID_GEN_MEDIA_CONNECT_STATUS answers from the same state")
    void linkStateFollowsTheInterface() throws Exception {
        TunMiniport tun = start(1, 8, false, "192.0.2.1/24");
        tun.serviceQueue(0, 0);
        assertEquals(LinkState.CONNECTED, tun.linkState(), "up in its namespace");
        assertEquals(List.of(), edge().statusIndications, "no change, nothing indicated");

        namespace().exec("ip", "link", "set", tun.name(), "down");
        LinkStateIndication down = awaitLinkIndication(tun, 1);
        assertEquals(LinkState.DISCONNECTED, down.mediaConnectState());
        assertEquals(tun.linkSpeed(), down.xmitLinkSpeed());
        assertEquals(LinkState.DISCONNECTED, tun.linkState());
        assertEquals(1, queryUlong(tun, Oids.OID_GEN_MEDIA_CONNECT_STATUS), "NdisMediaStateDisconnected");

        namespace().exec("ip", "link", "set", tun.name(), "up");
        assertEquals(LinkState.CONNECTED, awaitLinkIndication(tun, 2).mediaConnectState());
        assertEquals(0, queryUlong(tun, Oids.OID_GEN_MEDIA_CONNECT_STATUS), "NdisMediaStateConnected");
        for (int i = 0; i < 3; i++) {
            tun.awaitWork(0, SERVE_NANOS);
            tun.serviceQueue(0, 0);
        }
        assertEquals(2, edge().statusIndications.size(), "each change indicated once: " + edge().statusIndications);
        finishAndCheckNothingLeaks(tun, 0);
    }

    @Test
    @DisplayName("OID_GEN_STATISTICS pends and completes on the next poll, once, with its byte count and request id and"
            + " the bytes received; a cancel before the poll aborts its request once and leaves the other pended")
    void statisticsPendUntilThePollAndACancelAbortsOnce() throws Exception {
        TunMiniport tun = start(1, 8, false, "192.0.2.1/24");
        queueUnansweredPings(2);
        for (int i = 0; i < 4; i++) {
            tun.serviceQueue(0, 8);
            edge().returnHeld(tun);
        }
        try (Arena arena = Arena.ofConfined()) {
            NDIS_OID_REQUEST kept = query(arena, Oids.OID_GEN_STATISTICS, 256, "kept");
            NDIS_OID_REQUEST cancelled = query(arena, Oids.OID_GEN_STATISTICS, 256, "cancelled");
            assertEquals(NtStatus.NDIS_STATUS_PENDING, tun.oidRequest(kept));
            assertEquals(NtStatus.NDIS_STATUS_PENDING, tun.oidRequest(cancelled));
            assertEquals(List.of(), edge().oidCompletions, "nothing completes before the poll");

            tun.cancelOidRequest("cancelled");
            tun.cancelOidRequest("cancelled");
            assertEquals(
                    List.of(new RecordingEdge.OidCompletion(cancelled, NtStatus.NDIS_STATUS_REQUEST_ABORTED)),
                    edge().oidCompletions,
                    "aborted once, at the cancel");

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (edge().oidCompletions.size() < 2 && System.nanoTime() < deadline) {
                tun.awaitWork(0, SERVE_NANOS / 10);
                tun.serviceQueue(0, 0);
            }
            assertEquals(
                    List.of(
                            new RecordingEdge.OidCompletion(cancelled, NtStatus.NDIS_STATUS_REQUEST_ABORTED),
                            new RecordingEdge.OidCompletion(kept, NtStatus.NDIS_STATUS_SUCCESS)),
                    edge().oidCompletions);
            assertEquals(Oids.NDIS_SIZEOF_STATISTICS_INFO_REVISION_1, kept.DATA.QUERY_INFORMATION.BytesWritten());
            assertEquals("kept", kept.RequestId);
            long inOctets = kept.DATA.QUERY_INFORMATION.InformationBuffer().get(JAVA_LONG_UNALIGNED, 8 + 2 * 8);
            assertEquals(tun.statistics().receivedBytes(), inOctets, "ifHCInOctets");
            assertTrue(inOctets >= 2 * 84, "two echo requests read: " + inOctets);
        }
        finishAndCheckNothingLeaks(tun, 0);
    }

    /** Serves queue 0 until the {@code count}th status indication (bounded at 2 s) and returns its link state. */
    private LinkStateIndication awaitLinkIndication(TunMiniport tun, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (edge().statusIndications.size() < count && System.nanoTime() < deadline) {
            tun.awaitWork(0, SERVE_NANOS / 10);
            tun.serviceQueue(0, 0);
        }
        assertEquals(count, edge().statusIndications.size(), () -> "indications: " + edge().statusIndications);
        StatusIndication indication = edge().statusIndications.get(count - 1);
        assertEquals(Oids.NDIS_STATUS_LINK_STATE, indication.statusCode());
        return (LinkStateIndication) indication.statusBuffer();
    }

    private static NDIS_OID_REQUEST query(Arena arena, int oid, int bufferLength, Object requestId) {
        NDIS_OID_REQUEST request = new NDIS_OID_REQUEST();
        request.RequestType = Oids.NdisRequestQueryInformation;
        request.RequestId = requestId;
        request.DATA.QUERY_INFORMATION.Oid(oid);
        request.DATA.QUERY_INFORMATION.InformationBuffer(arena.allocate(bufferLength));
        request.DATA.QUERY_INFORMATION.InformationBufferLength(bufferLength);
        return request;
    }

    /** A ULONG query the miniport answers at once. */
    private static int queryUlong(TunMiniport tun, int oid) {
        try (Arena arena = Arena.ofConfined()) {
            NDIS_OID_REQUEST request = query(arena, oid, 4, oid);
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, tun.oidRequest(request));
            return request.DATA.QUERY_INFORMATION.InformationBuffer().get(JAVA_INT_UNALIGNED, 0);
        }
    }

    @Test
    void sendingBeforeInitializeIsRefused() throws Exception {
        try (Ndis local = Ndis.create();
                PacketSender localSender = new PacketSender(local, 256)) {
            TunMiniport tun = new TunMiniport(TunDevice.open(Namespace.interfaceName(), 1, true), MTU);
            try {
                NetBufferList nbl = localSender.whole(new byte[20]);
                IllegalStateException refused =
                        assertThrows(IllegalStateException.class, () -> tun.sendNetBufferLists(nbl, 0, 0));
                assertTrue(refused.getMessage().contains("not initialized"), refused.getMessage());
                localSender.release(nbl);
            } finally {
                tun.close();
            }
        }
    }

    /**
     * Serves queue 0 while ping runs, answering every echo request (alternately from a data-pool buffer and split
     * over two MDLs, so that sends gather) and returning every indicated NBL. Bounded at 20 s.
     *
     * @return how many echo requests were answered
     */
    private int answerPings(Process ping) throws Exception {
        TunMiniport tun = miniport();
        int answered = 0;
        int seen = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ping.isAlive() && System.nanoTime() < deadline) {
            tun.awaitWork(0, SERVE_NANOS);
            tun.serviceQueue(0, 32);
            List<RecordingEdge.Received> received = edge().received;
            for (; seen < received.size(); seen++) {
                byte[] reply = IcmpEcho.replyTo(received.get(seen).bytes());
                if (reply != null) {
                    NetBufferList nbl = answered % 2 == 0 ? sender().whole(reply) : sender().split(reply, 24);
                    tun.sendNetBufferLists(nbl, 0, 0);
                    answered++;
                    sent++;
                }
            }
            edge().returnHeld(tun);
            releaseCompleted();
        }
        return answered;
    }

    /** Sends a few pings from the namespace that nobody answers, and waits until they sit in the TUN queue. */
    private void queueUnansweredPings(int count) throws Exception {
        Process ping = namespace().start("ping", "-c", String.valueOf(count), "-i", "0.2", "-W", "1", "192.0.2.2");
        Commands.Result result = Commands.finish(ping, Duration.ofSeconds(10));
        assertEquals(1, result.exitCode(), "no reply expected: " + result.output());
    }

    /** Frees completed sends; each must have succeeded. */
    private void releaseCompleted() {
        RecordingEdge recording = edge;
        PacketSender packets = sender;
        if (recording == null || packets == null) {
            return;
        }
        for (NetBufferList nbl : recording.completed) {
            packets.release(nbl);
        }
        recording.completed.clear();
    }

    /**
     * Serves the queues until every send has completed (bounded), halts the miniport, and checks that every NBL and
     * byte came back: pool tag diffs 0 (poolmon), counters consistent.
     */
    private void finishAndCheckNothingLeaks(TunMiniport tun, int expectedSuccessfulSends) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (edge().totalCompleted() < sent && System.nanoTime() < deadline) {
            for (int queue = 0; queue < tun.receiveQueueCount(); queue++) {
                tun.awaitWork(queue, SERVE_NANOS / 10);
                tun.serviceQueue(queue, 0);
            }
        }
        assertEquals(sent, edge().totalCompleted(), "every send completed exactly once");
        edge().returnHeld(tun);
        releaseCompleted();
        MiniportStatistics statistics = tun.statistics();
        assertEquals(expectedSuccessfulSends, statistics.sentPackets());
        assertEquals(sent - expectedSuccessfulSends, statistics.sendDiscards());
        tun.close();
        assertEquals(LinkState.DISCONNECTED, tun.linkState());
        Ndis usage = ndis();
        for (PoolTag tag : List.of(
                TunMiniport.RECEIVE_POOL_TAG, PacketSender.DATA_TAG, PacketSender.SPLIT_TAG, PacketSender.MEMORY_TAG)) {
            assertEquals(0, usage.poolUsage().diff(tag), tag + " outstanding");
        }
        assertTrue(usage.poolUsage().usage(TunMiniport.RECEIVE_POOL_TAG).isPresent(), "the receive pool was used");
    }

    private Namespace namespace() {
        return Objects.requireNonNull(namespace);
    }

    private Ndis ndis() {
        return Objects.requireNonNull(ndis);
    }

    private RecordingEdge edge() {
        return Objects.requireNonNull(edge);
    }

    private TunMiniport miniport() {
        return Objects.requireNonNull(miniport);
    }

    private PacketSender sender() {
        return Objects.requireNonNull(sender);
    }
}
