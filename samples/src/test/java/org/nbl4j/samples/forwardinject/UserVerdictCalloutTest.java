package org.nbl4j.samples.forwardinject;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.samples.forwardinject.UserVerdictIoctl.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.VerifierLevel;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.samples.SamplePackets;
import org.nbl4j.stack.ddk.SystemIo;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ddk.WdmIo;
import org.nbl4j.stack.device.FileObject;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * Issue 16: the seed-000 driver on a router over two in-memory adapters, with user mode played through the I/O
 * manager's handles (what the device sockets do for a real application): packets arrive on wire1 for wire2's subnet,
 * the application's verdicts decide what wire2 transmits. Every test ends with the driver unloaded, the router closed,
 * no violation (so no held-clone report either, the budget being 1 s) and every pool tag back to 0.
 */
class UserVerdictCalloutTest {
    private static final Duration CLONE_BUDGET = Duration.ofSeconds(1);
    private static final int RECEIVE_BUFFERS = 256;
    private static final long PATIENCE_NANOS = Duration.ofSeconds(5).toNanos();

    private Ndis ndis;
    private Router router;
    private MemoryMiniport wire1;
    private final List<byte[]> egress = Collections.synchronizedList(new ArrayList<>());
    private IoManager io;
    private UserVerdictCallout driver;
    private final List<AutoCloseable> bindings = new ArrayList<>();

    @BeforeEach
    void load() throws UnknownHostException {
        ndis = Ndis.create(VerifierSettings.standard()
                .withLevel(VerifierLevel.FULL)
                .withPolicy(ViolationPolicy.COLLECT)
                .withHeldCloneBudget(CLONE_BUDGET));
        bindings.add(SystemNdis.bind(ndis));
        wire1 = MemoryMiniport.builder()
                .name("wire1")
                .receiveBuffers(RECEIVE_BUFFERS)
                .build();
        MemoryMiniport wire2 = MemoryMiniport.builder()
                .name("wire2")
                .transmitSink(nbl -> egress.add(nbl.firstNetBuffer().toByteArray()))
                .build();
        router = Router.create(ndis);
        FilterEngine engine = router.useFilterEngine(PlatformProfile.WINDOWS_10);
        router.addInterface(1, "wire1", wire1, List.of(), true);
        router.addInterface(2, "wire2", wire2, List.of(), true);
        router.address(1, InetAddress.getByName("192.0.2.1"), 24)
                .address(1, InetAddress.getByName("2001:db8:1::1"), 64)
                .address(2, InetAddress.getByName("198.51.100.1"), 24)
                .address(2, InetAddress.getByName("2001:db8:2::1"), 64);
        io = new IoManager(ndis);
        bindings.add(SystemWfp.bind(engine));
        bindings.add(SystemIo.bind(io));
        driver = new UserVerdictCallout();
        driver.load(engine);
    }

    @AfterEach
    void unload() throws Exception {
        // Queue threads from here on: an unload that re-injects held clones waits for their completions.
        router.start();
        driver.unload();
        router.close();
        assertEquals(List.of(), ndis.verifier().violations());
        assertEquals(List.of(), ndis.poolUsage().outstanding(), "every tag back to 0");
        for (AutoCloseable binding : bindings.reversed()) {
            binding.close();
        }
        ndis.close();
    }

    @Test
    @DisplayName("the control codes are the CTL_CODEs their comments name")
    void controlCodes() {
        assertEquals(
                WdmIo.CTL_CODE(WdmIo.FILE_DEVICE_NETWORK, 0x900, WdmIo.METHOD_OUT_DIRECT, WdmIo.FILE_READ_ACCESS),
                IOCTL_USERVERDICT_RECEIVE);
        assertEquals(
                WdmIo.CTL_CODE(WdmIo.FILE_DEVICE_NETWORK, 0x901, WdmIo.METHOD_BUFFERED, WdmIo.FILE_WRITE_ACCESS),
                IOCTL_USERVERDICT_VERDICT);
        assertEquals(
                WdmIo.CTL_CODE(WdmIo.FILE_DEVICE_NETWORK, 0x902, WdmIo.METHOD_BUFFERED, WdmIo.FILE_WRITE_ACCESS),
                IOCTL_USERVERDICT_SET_DEFAULT);
        assertEquals(
                WdmIo.CTL_CODE(WdmIo.FILE_DEVICE_NETWORK, 0x903, WdmIo.METHOD_BUFFERED, WdmIo.FILE_READ_ACCESS),
                IOCTL_USERVERDICT_QUERY_STATISTICS);
        assertEquals(
                WdmIo.CTL_CODE(
                        WdmIo.FILE_DEVICE_NETWORK,
                        0x904,
                        WdmIo.METHOD_OUT_DIRECT,
                        WdmIo.FILE_READ_ACCESS | WdmIo.FILE_WRITE_ACCESS),
                IOCTL_USERVERDICT_ATTACH_RING);
        assertEquals(
                WdmIo.CTL_CODE(WdmIo.FILE_DEVICE_NETWORK, 0x905, WdmIo.METHOD_BUFFERED, WdmIo.FILE_ANY_ACCESS),
                IOCTL_USERVERDICT_RING_WAIT);
        assertEquals(UserVerdictCallout.PACKET_RECORDS, RING_SLOTS, "a packet's frame is its record's");
    }

    @Test
    @DisplayName("permit re-injects, block drops, modify re-injects the new bytes; each clone freed")
    void verdictsPerPacket() {
        Application app = Application.open(io);
        app.postReceive();
        app.postReceive();
        app.postReceive();
        receive(udp4(0, "permit me"));
        receive(udp6(1, "block me"));
        receive(udp4(2, "rewrite XXXX"));

        // One request was waiting for each indication of one packet: three completions of one packet each, in order.
        List<Map<Integer, byte[]>> batches = app.completedReceives();
        assertEquals(3, batches.size());
        List<Integer> ids = new ArrayList<>();
        batches.forEach(batch -> {
            assertEquals(1, batch.size());
            ids.addAll(batch.keySet());
        });
        byte[] permitted = batches.get(0).get(ids.get(0));
        byte[] modified = batches.get(2).get(ids.get(2)).clone();
        int marker = indexOf(modified, "XXXX");
        System.arraycopy("YYYY".getBytes(StandardCharsets.US_ASCII), 0, modified, marker, 4);

        assertEquals(
                3,
                app.verdicts(
                        verdict(ids.get(0), USERVERDICT_PERMIT, null),
                        verdict(ids.get(1), USERVERDICT_BLOCK, null),
                        verdict(ids.get(2), USERVERDICT_MODIFY, modified)));
        router.drain();

        assertEquals(2, egress.size());
        assertArrayEquals(permitted, egress.get(0), "the permitted clone as the application saw it");
        assertArrayEquals(modified, egress.get(1), "the modified bytes");
        long[] statistics = app.statistics();
        assertEquals(3, statistics[STATISTICS_TAKEN]);
        assertEquals(1, statistics[STATISTICS_PERMITTED]);
        assertEquals(1, statistics[STATISTICS_BLOCKED]);
        assertEquals(1, statistics[STATISTICS_MODIFIED]);
        assertEquals(0, statistics[STATISTICS_HELD]);
        assertEquals(RECEIVE_BUFFERS, wire1.freeReceiveBuffers(), "every original back once its clone is freed");
        app.close();
    }

    @Test
    @DisplayName("the packets of one receive indication go out in one completion, after the indication (the DPC)")
    void oneIndicationOneCompletion() {
        Application app = Application.open(io);
        app.postReceive();
        app.postReceive();
        receive(udp4(0, "first"), udp4(1, "second"), udp6(2, "third"));
        List<Map<Integer, byte[]>> batches = app.completedReceives();
        assertEquals(1, batches.size(), "one RECEIVE completed, the other still pending");
        assertEquals(3, batches.getFirst().size(), "all three packets in it");
        List<byte[]> answers = new ArrayList<>();
        batches.getFirst().keySet().forEach(id -> answers.add(verdict(id, USERVERDICT_PERMIT, null)));
        assertEquals(3, app.verdicts(answers.toArray(byte[][]::new)));
        router.drain();
        assertEquals(3, egress.size());
        assertEquals(1, app.statistics()[STATISTICS_PENDING_RECEIVES]);
        app.close();
    }

    @Test
    @DisplayName("packets that arrive while no request waits go out together in the next one")
    void batchesWhenSeveralWait() {
        Application app = Application.open(io);
        for (int i = 0; i < 5; i++) {
            receive(udp4(i, "batched"));
        }
        app.postReceive();
        List<Map<Integer, byte[]>> batches = app.completedReceives();
        assertEquals(1, batches.size());
        assertEquals(5, batches.getFirst().size(), "five packets in one completed IOCTL");
        List<byte[]> answers = new ArrayList<>();
        batches.getFirst().keySet().forEach(id -> answers.add(verdict(id, USERVERDICT_PERMIT, null)));
        assertEquals(5, app.verdicts(answers.toArray(byte[][]::new)));
        router.drain();
        assertEquals(5, egress.size());
        app.close();
    }

    @Test
    @DisplayName("at most MAX_HELD_PACKETS are held; the next gets the default at once, also while decided packets'"
            + " records are still in use")
    void heldPacketsAreLimited() {
        Application app = Application.open(io);
        for (int i = 0; i < UserVerdictCallout.MAX_HELD_PACKETS; i++) {
            receive(udp4(i, "held"));
        }
        receive(udp4(UserVerdictCallout.MAX_HELD_PACKETS, "one too many"));
        long[] statistics = app.statistics();
        assertEquals(UserVerdictCallout.MAX_HELD_PACKETS, statistics[STATISTICS_HELD]);
        assertEquals(1, statistics[STATISTICS_DEFAULTED_UNHELD]);
        assertEquals(1, egress.size(), "the default (permit) let the packet it did not take go on");

        app.postReceive();
        List<byte[]> answers = new ArrayList<>();
        app.completedReceives().getFirst().keySet().forEach(id -> answers.add(verdict(id, USERVERDICT_PERMIT, null)));
        assertEquals(UserVerdictCallout.MAX_HELD_PACKETS, app.verdicts(answers.toArray(byte[][]::new)));
        receive(udp4(0, "room again"));
        assertEquals(1, app.statistics()[STATISTICS_HELD]);
        app.close();
    }

    @Test
    @DisplayName("a RECEIVE that asks for at most N packets gets N when more wait; the rest stay for the next")
    void receiveAsksForAtMost() {
        Application app = Application.open(io);
        for (int i = 0; i < 5; i++) {
            receive(udp4(i, "one at a time"));
        }
        app.postReceive(1);
        app.postReceive(3);
        app.postReceive(1);
        List<Map<Integer, byte[]>> batches = app.completedReceives();
        assertEquals(List.of(1, 3, 1), batches.stream().map(Map::size).toList());
        List<byte[]> answers = new ArrayList<>();
        batches.forEach(batch -> batch.keySet().forEach(id -> answers.add(verdict(id, USERVERDICT_PERMIT, null))));
        assertEquals(5, app.verdicts(answers.toArray(byte[][]::new)));
        router.drain();
        assertEquals(5, egress.size());
        app.close();
    }

    @Test
    @DisplayName("a decided packet's id is refused, also once its record holds a new packet, which it does not decide")
    void staleIdRefused() {
        Application app = Application.open(io);
        app.postReceive();
        receive(udp4(0, "decided first"));
        int staleId = app.completedReceives().getFirst().keySet().iterator().next();
        assertEquals(1, app.verdicts(verdict(staleId, USERVERDICT_PERMIT, null)));
        router.drain();
        assertEquals(0, app.verdicts(verdict(staleId, USERVERDICT_BLOCK, null)), "decided already: its record is free");
        assertEquals(1, app.statistics()[STATISTICS_REFUSED_VERDICTS]);

        // Packets until one is held in the decided packet's record (the next one, or after one turn of the table).
        int slotMask = UserVerdictCallout.PACKET_RECORDS - 1;
        int newId = 0;
        for (int n = 1; n <= UserVerdictCallout.PACKET_RECORDS; n++) {
            app.postReceive();
            receive(udp4(n, "reuses a record"));
            newId = app.completedReceives().getFirst().keySet().iterator().next();
            if ((newId & slotMask) == (staleId & slotMask)) {
                break;
            }
            assertEquals(1, app.verdicts(verdict(newId, USERVERDICT_PERMIT, null)));
            router.drain();
        }
        assertEquals(staleId & slotMask, newId & slotMask, "the new packet is held in the decided packet's record");
        assertTrue(newId != staleId && newId != 0, "under another id");
        int sentBefore = egress.size();

        assertEquals(0, app.verdicts(verdict(staleId, USERVERDICT_BLOCK, null)), "the stale id decides nothing");
        long[] statistics = app.statistics();
        assertEquals(2, statistics[STATISTICS_REFUSED_VERDICTS]);
        assertEquals(1, statistics[STATISTICS_HELD], "the new packet is still held");
        assertEquals(0, statistics[STATISTICS_BLOCKED]);

        assertEquals(1, app.verdicts(verdict(newId, USERVERDICT_PERMIT, null)), "its own id decides it");
        router.drain();
        assertEquals(sentBefore + 1, egress.size());
        app.close();
    }

    @Test
    @DisplayName("no verdict within the timeout: the default applies before the watchdog's budget")
    void defaultOnTimeout() {
        Application app = Application.open(io);
        app.setDefault(USERVERDICT_PERMIT, 50);
        app.postReceive();
        receive(udp4(0, "unanswered"));
        assertEquals(1, app.completedReceives().size());
        awaitEgress(1);
        assertEquals(1, app.statistics()[STATISTICS_DEFAULTED_ON_TIMEOUT]);

        app.setDefault(USERVERDICT_BLOCK, 50);
        app.postReceive();
        receive(udp4(1, "unanswered, blocked"));
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (app.statistics()[STATISTICS_DEFAULTED_ON_TIMEOUT] < 2 && System.nanoTime() < deadline) {
            router.pollAll(64);
            Thread.onSpinWait();
        }
        router.drain();
        assertEquals(2, app.statistics()[STATISTICS_DEFAULTED_ON_TIMEOUT]);
        assertEquals(1, egress.size(), "the blocked default sent nothing");
        app.close();
    }

    @Test
    @DisplayName("closing the handle cancels its pending requests and gives its packets the default; then none held")
    void closingCancelsAndDefaults() {
        Application app = Application.open(io);
        app.postReceive();
        receive(udp4(0, "delivered, unanswered"));
        app.postReceive();
        app.postReceive();
        assertEquals(2, app.statistics()[STATISTICS_PENDING_RECEIVES]);

        app.close();
        router.drain();
        assertEquals(List.of(NtStatus.STATUS_CANCELLED, NtStatus.STATUS_CANCELLED), app.cancelledStatuses());
        assertEquals(1, egress.size(), "the default (permit) re-injected the orphaned packet");

        // No application now: packets are not held; the default lets them through at once.
        receive(udp4(1, "nobody listening"));
        router.drain();
        assertEquals(2, egress.size());

        Application observer = Application.open(io);
        long[] statistics = observer.statistics();
        assertEquals(2, statistics[STATISTICS_CANCELLED_RECEIVES]);
        assertEquals(1, statistics[STATISTICS_DEFAULTED_ON_CLEANUP]);
        assertEquals(1, statistics[STATISTICS_DEFAULTED_UNHELD]);
        assertEquals(0, statistics[STATISTICS_HELD]);
        assertEquals(0, statistics[STATISTICS_PENDING_RECEIVES]);
        observer.close();
    }

    @Test
    @DisplayName("the shared ring: packets in their frames, verdicts carried out by the next receive's DPC or by"
            + " RING_WAIT, which waits for the next packet; the ring's packets get the default when the handle closes")
    void ringCarriesPacketsAndVerdicts() {
        Application app = Application.open(io);
        try (Arena arena = Arena.ofShared()) {
            Ring ring = app.attachRing(arena);
            receive(udp4(0, "permit me"), udp6(1, "block me"), udp4(2, "rewrite XXXX"));

            assertEquals(3, ring.packetsProduced(), "three descriptors, with the request still pending");
            app.ringWait();
            assertEquals(List.of(NtStatus.STATUS_SUCCESS), app.ringWaitsEnded(), "packets unread: it returns at once");
            int[] ids = {ring.packetId(0), ring.packetId(1), ring.packetId(2)};
            byte[] permitted = ring.frame(ids[0], ring.packetLength(0));
            assertEquals(indexOf(permitted, "0 permit me"), permitted.length - "0 permit me".length());
            byte[] modified = ring.frame(ids[2], ring.packetLength(2));
            System.arraycopy("YYYY".getBytes(StandardCharsets.US_ASCII), 0, modified, indexOf(modified, "XXXX"), 4);

            ring.verdict(ids[0], USERVERDICT_PERMIT, 0);
            ring.verdict(ids[1], USERVERDICT_BLOCK, 0);
            ring.consumePackets(2);
            assertEquals(0, egress.size(), "nothing carries the verdicts out before the next DPC");
            receive(udp4(3, "brings the DPC"));
            assertEquals(2, ring.verdictsConsumed(), "the receive's DPC carried out both");
            assertEquals(1, egress.size());
            assertArrayEquals(permitted, egress.getFirst());
            assertEquals(4, ring.packetsProduced());

            ring.frameSegment(ids[2], modified.length).copyFrom(MemorySegment.ofArray(modified));
            ring.verdict(ids[2], USERVERDICT_MODIFY, modified.length);
            ring.verdict(ring.packetId(3), USERVERDICT_PERMIT, 0);
            ring.consumePackets(4);
            app.ringWait();
            router.drain();
            assertEquals(3, egress.size(), "RING_WAIT carried out the verdicts on the handle's thread");
            assertArrayEquals(modified, egress.get(1), "the bytes written over the frame");
            assertEquals(List.of(), app.ringWaitsEnded(), "nothing unread: RING_WAIT waits");

            receive(udp4(4, "wakes the wait"));
            assertEquals(List.of(NtStatus.STATUS_SUCCESS), app.ringWaitsEnded());
            long[] statistics = app.statistics();
            assertEquals(5, statistics[STATISTICS_TAKEN]);
            assertEquals(2, statistics[STATISTICS_PERMITTED]);
            assertEquals(1, statistics[STATISTICS_BLOCKED]);
            assertEquals(1, statistics[STATISTICS_MODIFIED]);
            assertEquals(1, statistics[STATISTICS_HELD]);

            app.close();
            router.drain();
            assertEquals(List.of(NtStatus.STATUS_CANCELLED), app.ringEnded(), "closing cancelled ATTACH_RING");
            assertEquals(4, egress.size(), "the ring's unanswered packet got the default (permit)");
        }
    }

    @Test
    @DisplayName("ring verdicts are checked as VERDICT's: stale or unknown ids and non-verdicts refused, a MODIFY of"
            + " another length defaulted, an overrun of the verdict ring bounded")
    void ringVerdictsChecked() {
        Application app = Application.open(io);
        try (Arena arena = Arena.ofShared()) {
            Ring ring = app.attachRing(arena);
            receive(udp4(0, "first"), udp4(1, "second"));
            int first = ring.packetId(0);
            int second = ring.packetId(1);
            ring.verdict(first, USERVERDICT_PERMIT, 0);
            ring.verdict(first, USERVERDICT_BLOCK, 0); // decided already
            ring.verdict(first + RING_SLOTS, USERVERDICT_BLOCK, 0); // the same record, another id
            ring.verdict(second, 7, 0); // no such verdict
            ring.verdict(second, USERVERDICT_MODIFY, ring.packetLength(1) + 1);
            ring.consumePackets(2);
            app.ringWait();
            router.drain();
            long[] statistics = app.statistics();
            assertEquals(1, statistics[STATISTICS_PERMITTED]);
            assertEquals(0, statistics[STATISTICS_BLOCKED]);
            assertEquals(4, statistics[STATISTICS_REFUSED_VERDICTS]);
            assertEquals(2, egress.size(), "the first permitted, the second given the default for its MODIFY");
            assertEquals(0, statistics[STATISTICS_HELD]);

            // An application that claims far more verdicts than the ring holds: only the ring's worth is read.
            receive(udp4(2, "third"));
            int third = ring.packetId(2);
            for (int i = 0; i < RING_SLOTS; i++) {
                ring.verdict(third, USERVERDICT_BLOCK, 0);
            }
            ring.skipVerdicts(5 * RING_SLOTS);
            ring.consumePackets(3);
            app.ringWait();
            assertEquals(5 + 6 * RING_SLOTS, ring.verdictsConsumed());
            statistics = app.statistics();
            assertEquals(1, statistics[STATISTICS_BLOCKED], "the first of the ring's copies decided it");
            assertEquals(4 + RING_SLOTS - 1, statistics[STATISTICS_REFUSED_VERDICTS]);
            app.close();
        }
    }

    @Test
    @DisplayName("one ring at a time, of at least RING_AREA_LENGTH; RING_WAIT only on its handle; once ATTACH_RING is"
            + " cancelled the driver writes no more into the area, and RECEIVEs get the packets")
    void ringAttachRules() {
        Application app = Application.open(io);
        Application other = Application.open(io);
        try (Arena arena = Arena.ofShared()) {
            assertEquals(
                    NtStatus.STATUS_BUFFER_TOO_SMALL,
                    app.attach(arena.allocate(RING_AREA_LENGTH - 1, 4096)),
                    "too small for the layout");
            Ring ring = app.attachRing(arena);
            assertEquals(NtStatus.STATUS_DEVICE_BUSY, other.attach(arena.allocate(RING_AREA_LENGTH, 4096)));
            other.ringWait();
            assertEquals(List.of(NtStatus.STATUS_INVALID_DEVICE_REQUEST), other.ringWaitsEnded());

            receive(udp4(0, "in the ring"));
            assertEquals(1, ring.packetsProduced());
            app.cancelRing();
            assertEquals(List.of(NtStatus.STATUS_BUFFER_TOO_SMALL, NtStatus.STATUS_CANCELLED), app.ringEnded());
            app.postReceive();
            receive(udp4(1, "for the RECEIVE"));
            assertEquals(1, ring.packetsProduced(), "nothing written into the area once it was given back");
            assertEquals(1, app.completedReceives().getFirst().size());
            other.close();
            app.close();
            router.drain();
            assertEquals(2, egress.size(), "both defaulted at CLEANUP");
        }
    }

    private void receive(byte[]... packets) {
        for (byte[] packet : packets) {
            assertTrue(wire1.receive(packet), "wire1 took the packet");
        }
        router.drain();
    }

    private void awaitEgress(int count) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (egress.size() < count && System.nanoTime() < deadline) {
            router.pollAll(64);
            Thread.onSpinWait();
        }
        router.drain();
        assertEquals(count, egress.size());
    }

    private static byte[] udp4(int n, String text) {
        return SamplePackets.ipv4Udp(
                "192.0.2.10", "198.51.100.20", 64, 0, (n + " " + text).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] udp6(int n, String text) {
        return SamplePackets.ipv6Udp(
                "2001:db8:1::10", "2001:db8:2::20", 64, 0, (n + " " + text).getBytes(StandardCharsets.US_ASCII));
    }

    private static int indexOf(byte[] bytes, String text) {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("no " + text);
    }

    /** One VERDICT record. */
    static byte[] verdict(int packetId, int verdict, byte @Nullable [] bytes) {
        int length = bytes == null ? 0 : bytes.length;
        ByteBuffer record = ByteBuffer.allocate(VERDICT_HEADER_LENGTH + length).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt(packetId).putShort((short) verdict).putShort((short) length);
        if (bytes != null) {
            record.put(bytes);
        }
        return record.array();
    }

    /** The application's side of the ring area (UserVerdictIoctl's layout). */
    private static final class Ring {
        private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort U16 =
                ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private final MemorySegment area;
        private int verdictsProduced;

        Ring(MemorySegment area) {
            this.area = area;
        }

        int packetsProduced() {
            return area.get(U32, RING_PACKET_PRODUCED);
        }

        int packetId(int descriptor) {
            return area.get(U32, RING_PACKETS + (long) (descriptor % RING_SLOTS) * 8);
        }

        int packetLength(int descriptor) {
            return area.get(U32, RING_PACKETS + (long) (descriptor % RING_SLOTS) * 8 + 4);
        }

        MemorySegment frameSegment(int packetId, int length) {
            return area.asSlice(RING_FRAMES + (long) (packetId & (RING_SLOTS - 1)) * RING_FRAME_LENGTH, length);
        }

        byte[] frame(int packetId, int length) {
            return frameSegment(packetId, length).toArray(ValueLayout.JAVA_BYTE);
        }

        void verdict(int packetId, int verdict, int length) {
            long descriptor = RING_VERDICTS + (long) (verdictsProduced % RING_SLOTS) * 8;
            area.set(U32, descriptor, packetId);
            area.set(U16, descriptor + 4, (short) verdict);
            area.set(U16, descriptor + 6, (short) length);
            verdictsProduced++;
            area.set(U32, RING_VERDICT_PRODUCED, verdictsProduced);
        }

        /** Counts verdicts the application never wrote: an overrun. */
        void skipVerdicts(int count) {
            verdictsProduced += count;
            area.set(U32, RING_VERDICT_PRODUCED, verdictsProduced);
        }

        void consumePackets(int consumed) {
            area.set(U32, RING_PACKET_CONSUMED, consumed);
        }

        int verdictsConsumed() {
            return area.get(U32, RING_VERDICT_CONSUMED);
        }
    }

    /** User mode through one handle, as the device sockets drive it: requests sent at PASSIVE_LEVEL. */
    private static final class Application {
        private final FileObject file;
        private final ConcurrentLinkedQueue<byte[]> receives = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Integer> cancelled = new ConcurrentLinkedQueue<>();

        private Application(FileObject file) {
            this.file = file;
        }

        static Application open(IoManager io) {
            FileObject file = io.open(LINK_NAME);
            assertNotNull(file, "the link names the device");
            int[] status = {-1};
            file.create((s, _, _) -> status[0] = s);
            assertEquals(NtStatus.STATUS_SUCCESS, status[0]);
            return new Application(file);
        }

        void postReceive() {
            postReceive(new byte[0]);
        }

        /** A RECEIVE asking for at most {@code maxPackets} packets. */
        void postReceive(int maxPackets) {
            postReceive(ByteBuffer.allocate(RECEIVE_OPTIONS_LENGTH)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(maxPackets)
                    .array());
        }

        private void postReceive(byte[] options) {
            file.deviceIoControl(IOCTL_USERVERDICT_RECEIVE, options, RECEIVE_MINIMUM_LENGTH, (s, _, out) -> {
                if (s == NtStatus.STATUS_SUCCESS) {
                    receives.add(out);
                } else {
                    cancelled.add(s);
                }
            });
        }

        /** The RECEIVE completions so far, each parsed to its packets by id, in order. */
        List<Map<Integer, byte[]>> completedReceives() {
            List<Map<Integer, byte[]>> batches = new ArrayList<>();
            for (byte[] out; (out = receives.poll()) != null; ) {
                ByteBuffer records = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
                Map<Integer, byte[]> batch = new LinkedHashMap<>();
                while (records.hasRemaining()) {
                    int id = records.getInt();
                    byte[] packet = new byte[records.getInt()];
                    records.get(packet);
                    batch.put(id, packet);
                }
                batches.add(batch);
            }
            return batches;
        }

        private final ConcurrentLinkedQueue<Integer> ringEnded = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Integer> ringWaitsEnded = new ConcurrentLinkedQueue<>();
        private org.nbl4j.stack.device.@Nullable Irp ringRequest;

        /** ATTACH_RING over {@code area}: the status when the driver completed it at once, else STATUS_PENDING. */
        int attach(MemorySegment area) {
            int before = ringEnded.size();
            ringRequest = file.deviceIoControl(IOCTL_USERVERDICT_ATTACH_RING, new byte[0], area, (s, _, _) -> {
                ringEnded.add(s);
            });
            return ringEnded.size() > before ? List.copyOf(ringEnded).getLast() : NtStatus.STATUS_PENDING;
        }

        /** A zeroed ring area, attached (the request stays pending). */
        Ring attachRing(Arena arena) {
            MemorySegment area = arena.allocate(RING_AREA_LENGTH, 4096);
            assertEquals(NtStatus.STATUS_PENDING, attach(area));
            return new Ring(area);
        }

        void cancelRing() {
            org.nbl4j.stack.device.Irp request = ringRequest;
            assertNotNull(request);
            request.cancel();
        }

        List<Integer> ringEnded() {
            return List.copyOf(ringEnded);
        }

        void ringWait() {
            file.deviceIoControl(IOCTL_USERVERDICT_RING_WAIT, new byte[0], 0, (s, _, _) -> ringWaitsEnded.add(s));
        }

        /** The RING_WAIT requests completed since the last call. */
        List<Integer> ringWaitsEnded() {
            List<Integer> ended = new ArrayList<>();
            for (Integer status; (status = ringWaitsEnded.poll()) != null; ) {
                ended.add(status);
            }
            return ended;
        }

        List<Integer> cancelledStatuses() {
            return List.copyOf(cancelled);
        }

        long verdicts(byte[]... records) {
            ByteBuffer input = ByteBuffer.allocate(
                    java.util.Arrays.stream(records).mapToInt(r -> r.length).sum());
            for (byte[] record : records) {
                input.put(record);
            }
            long[] applied = {-1};
            file.deviceIoControl(IOCTL_USERVERDICT_VERDICT, input.array(), 0, (s, information, _) -> {
                assertEquals(NtStatus.STATUS_SUCCESS, s);
                applied[0] = information;
            });
            return applied[0];
        }

        void setDefault(int verdict, int timeoutMillis) {
            byte[] input = ByteBuffer.allocate(SET_DEFAULT_LENGTH)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(verdict)
                    .putInt(timeoutMillis)
                    .array();
            int[] status = {-1};
            file.deviceIoControl(IOCTL_USERVERDICT_SET_DEFAULT, input, 0, (s, _, _) -> status[0] = s);
            assertEquals(NtStatus.STATUS_SUCCESS, status[0]);
        }

        long[] statistics() {
            long[] counters = new long[STATISTICS_COUNT];
            file.deviceIoControl(
                    IOCTL_USERVERDICT_QUERY_STATISTICS, new byte[0], STATISTICS_COUNT * Long.BYTES, (s, _, out) -> {
                        assertEquals(NtStatus.STATUS_SUCCESS, s);
                        ByteBuffer.wrap(out)
                                .order(ByteOrder.LITTLE_ENDIAN)
                                .asLongBuffer()
                                .get(counters);
                    });
            return counters;
        }

        void close() {
            file.close();
        }
    }
}
