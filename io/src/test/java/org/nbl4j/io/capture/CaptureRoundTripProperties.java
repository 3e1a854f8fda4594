package org.nbl4j.io.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** What nbl4j writes, it reads back unchanged; what it reads from other link types, it writes and reads back. */
class CaptureRoundTripProperties {
    private static final long PCAP_LAST_SECOND = 0xFFFF_FFFFL;

    @Provide
    Arbitrary<byte[]> ipPackets() {
        Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(1600);
        Arbitrary<Integer> protocols = Arbitraries.of(TestPackets.ICMP, TestPackets.UDP, 6);
        return Combinators.combine(Arbitraries.of(4, 6), protocols, payloads)
                .as((version, protocol, payload) ->
                        version == 4 ? TestPackets.ipv4(protocol, payload) : TestPackets.ipv6(protocol, payload));
    }

    @Provide
    Arbitrary<List<byte[]>> ipPacketLists() {
        return ipPackets().list().ofMaxSize(30);
    }

    private Arbitrary<CapturedPacket> packets(int interfaces, long maxTimestamp) {
        return Combinators.combine(
                        Arbitraries.integers().between(0, interfaces - 1),
                        Arbitraries.longs().between(0, maxTimestamp),
                        Arbitraries.integers().between(0, 9000),
                        ipPackets())
                .as((id, time, extra, data) -> new CapturedPacket(id, time, data.length + extra, data));
    }

    @Provide
    Arbitrary<List<CapturedPacket>> pcapngPackets() {
        return packets(3, Long.MAX_VALUE).list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<CapturedPacket>> pcapPackets() {
        return packets(1, PCAP_LAST_SECOND * 1_000_000_000L + 999_999_999L)
                .list()
                .ofMaxSize(40);
    }

    @Property(tries = 100)
    void pcapngRoundTrip(@ForAll("pcapngPackets") List<CapturedPacket> packets) throws IOException {
        byte[] file = Captures.write(CaptureFormat.PCAPNG, List.of("a", "b", "c"), packets);
        try (CaptureReader reader = Captures.reader(file)) {
            assertEquals(packets, reader.readAll());
            assertEquals(
                    List.of("a", "b", "c"),
                    reader.interfaces().stream().map(CaptureInterface::name).toList());
        }
    }

    @Property(tries = 100)
    void pcapRoundTrip(@ForAll("pcapPackets") List<CapturedPacket> packets) throws IOException {
        assertEquals(packets, Captures.readAll(Captures.write(CaptureFormat.PCAP, List.of(), packets)));
    }

    /**
     * Ethernet captures in either byte order, with up to two VLAN tags and the minimum-size padding, read as the IP
     * packets inside; written again as raw IP they read back the same, through either format.
     */
    @Property(tries = 100)
    void ethernetCapturesReadWriteRead(
            @ForAll("ipPacketLists") List<byte[]> ipPackets,
            @ForAll boolean bigEndian,
            @ForAll @IntRange(max = 2) int vlanTags,
            @ForAll @IntRange(max = 1_000_000_000) int seconds)
            throws IOException {
        CaptureFileBuilder ethernet = new CaptureFileBuilder(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
                .pcapHeader(false, 65535, LinkType.ETHERNET.value());
        List<CapturedPacket> expected = new ArrayList<>();
        for (int i = 0; i < ipPackets.size(); i++) {
            byte[] packet = ipPackets.get(i);
            byte[] frame = TestPackets.ethernet(TestPackets.ethertypeOf(packet), vlanTags, packet);
            ethernet.pcapRecord(seconds + i, i, frame, frame.length);
            expected.add(new CapturedPacket(0, (seconds + i) * 1_000_000_000L + i * 1_000L, packet.length, packet));
        }
        List<CapturedPacket> read = Captures.readAll(ethernet.toByteArray());
        assertEquals(expected, read);
        for (CaptureFormat format : CaptureFormat.values()) {
            assertEquals(read, Captures.readAll(Captures.write(format, List.of("eth0"), read)));
        }
    }

    /** Damage anywhere in a file ends reading with a CaptureFormatException or fewer packets, never anything else. */
    @Property(tries = 300)
    void damagedFilesFailCleanly(
            @ForAll("pcapngPackets") List<CapturedPacket> packets,
            @ForAll boolean pcapng,
            @ForAll @IntRange(max = 100_000) int where,
            @ForAll byte value,
            @ForAll boolean truncate)
            throws IOException {
        List<CapturedPacket> single = packets.stream()
                .map(p -> new CapturedPacket(0, p.timestampNanos() % 1_000_000_000_000L, p.originalLength(), p.data()))
                .toList();
        byte[] file = Captures.write(pcapng ? CaptureFormat.PCAPNG : CaptureFormat.PCAP, List.of("x"), single);
        int at = where % file.length;
        byte[] damaged = truncate ? java.util.Arrays.copyOf(file, at) : file.clone();
        if (!truncate) {
            damaged[at] = value;
        }
        try {
            List<CapturedPacket> read = Captures.readAll(damaged);
            if (truncate) {
                assertEquals(true, read.size() <= single.size());
            }
        } catch (CaptureFormatException expected) {
            // Damage can shift record boundaries, so the record named may start after the damaged byte; it is in the
            // file.
            assertEquals(true, expected.byteOffset() < Math.max(damaged.length, 1), expected.getMessage());
        }
    }
}
