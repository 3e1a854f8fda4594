package org.nbl4j.stack.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The Internet checksum against a plain loop, and RFC 1624's update against recomputing. */
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
}
