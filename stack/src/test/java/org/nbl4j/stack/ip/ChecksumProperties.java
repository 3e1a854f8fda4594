package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.VerifierSettings;

/**
 * The Internet checksum against a plain loop, RFC 1624's update against recomputing, the sum over an NB whose data
 * spans MDLs of any length (odd ones included), and the transport pseudo-header.
 */
class ChecksumProperties {

    @Property
    void fullChecksumMatchesPlainLoop(@ForAll @Size(max = 300) byte[] data) {
        assertEquals(
                TestPackets.checksum(data, 0, data.length),
                InternetChecksum.compute(MemorySegment.ofArray(data), 0, data.length));
    }

    @Property
    void ttlDecrementMatchesRecomputation(
            @ForAll @Size(20) byte[] header, @ForAll @IntRange(min = 2, max = 255) int ttl) {
        header[0] = 0x45;
        header[8] = (byte) ttl;
        MemorySegment segment = MemorySegment.ofArray(header);
        Ipv4Header.updateChecksum(segment, 20);
        Ipv4Header.decrementTtl(segment);
        assertEquals(ttl - 1, header[8] & 0xFF);
        assertEquals(0, TestPackets.checksum(header, 0, 20), "RFC 1624 eq. 3 keeps the header valid");
    }

    @Property
    void incrementalUpdateOfAnyWord(
            @ForAll @Size(min = 2, max = 64) byte[] data, @ForAll @IntRange(max = 0xFFFF) int newWord) {
        int length = data.length & ~1;
        int before = TestPackets.checksum(data, 0, length);
        int oldWord = TestPackets.u16(data, 0);
        TestPackets.put16(data, 0, newWord);
        int updated = InternetChecksum.update(before, oldWord, newWord);
        int recomputed = TestPackets.checksum(data, 0, length);
        // Equation 3 and a full sum agree up to the two ones' complement zeros.
        assertEquals(recomputed == 0xFFFF ? 0 : recomputed, updated == 0xFFFF ? 0 : updated);
    }

    @Property(tries = 200)
    void sumAcrossMdlsMatchesPlainLoop(
            @ForAll @Size(min = 1, max = 200) byte[] data,
            @ForAll @IntRange(min = 1, max = 13) int cut,
            @ForAll @IntRange(max = 5) int dataOffset) {
        // The data (after dataOffset bytes of headroom) cut into MDLs of cut, cut + 1, cut, ... bytes: odd runs
        // included.
        byte[] buffer = TestPackets.concat(new byte[dataOffset], data);
        try (Ndis ndis = Ndis.create(VerifierSettings.off());
                Arena arena = Arena.ofConfined()) {
            NetBufferListPool pool =
                    ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("TCks"), 0));
            List<Mdl> mdls = new ArrayList<>();
            Mdl previous = null;
            for (int at = 0, step = cut; at < buffer.length; at += step, step = step == cut ? cut + 1 : cut) {
                int length = Math.min(step, buffer.length - at);
                MemorySegment memory = arena.allocate(length);
                MemorySegment.copy(MemorySegment.ofArray(buffer), at, memory, 0, length);
                Mdl mdl = ndis.allocateMdl(memory, length);
                if (previous != null) {
                    previous.setNext(mdl);
                }
                previous = mdl;
                mdls.add(mdl);
            }
            NetBufferList nbl = pool.allocateNetBufferAndNetBufferList(0, 0, mdls.get(0), dataOffset, data.length);
            long sum = NetBufferBytes.checksum(nbl.firstNetBuffer(), 0, data.length, 0);
            assertEquals(TestPackets.checksum(data, 0, data.length), InternetChecksum.finish(sum));
            assertEquals(-1, NetBufferBytes.checksum(nbl.firstNetBuffer(), 1, data.length, 0), "past the data");
            nbl.free();
            mdls.forEach(ndis::freeMdl);
            pool.close();
        }
    }

    @Property
    void pseudoHeaderSumMatchesTheTestCodec(
            @ForAll @Size(max = 100) byte[] data, @ForAll boolean v6, @ForAll @IntRange(max = 255) int last) {
        String source = v6 ? "2001:db8:1::" + Integer.toHexString(last) : "192.0.2." + last;
        String destination = v6 ? "2001:db8:3::ffff:" + Integer.toHexString(last) : "203.0.113." + (255 - last);
        byte[] udp = TestPackets.udp(1234, 53, data);
        byte[] packet = TestPackets.withChecksum(
                v6
                        ? TestPackets.ipv6(source, destination, 17, 64, new byte[0], udp)
                        : TestPackets.ipv4(source, destination, 17, 64, udp));
        PacketFacts parsed = new PacketFacts();
        int available = Math.min(packet.length, PacketParser.PARSE_WINDOW);
        PacketParser.parse(MemorySegment.ofArray(packet), available, packet.length, parsed);
        long sum = InternetChecksum.pseudoHeader(
                parsed.family,
                parsed.sourceHigh,
                parsed.sourceLow,
                parsed.destinationHigh,
                parsed.destinationLow,
                udp.length,
                17);
        sum = InternetChecksum.add(sum, MemorySegment.ofArray(packet), parsed.headerLength, udp.length);
        assertEquals(0, InternetChecksum.finish(sum), "a UDP checksum the test codec computed verifies");
    }
}
