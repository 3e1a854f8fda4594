package org.nbl4j.stack.ndis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Toeplitz hash against the verification vectors Microsoft publishes with the RSS documentation (the default
 * 40-byte key; input: source address, destination address, source port, destination port).
 */
class ToeplitzTest {

    @ParameterizedTest(name = "{0}:{1} -> {2}:{3}")
    @CsvSource({
        "66.9.149.187, 2794, 161.142.100.80, 1766, 0x323e8fc2, 0x51ccc178",
        "199.92.111.2, 14230, 65.69.140.83, 4739, 0xd718262a, 0xc626b0ea",
        "24.19.198.95, 12898, 12.22.207.184, 38024, 0xd2d0a5de, 0x5c2b394a",
        "38.27.205.30, 48228, 209.142.163.6, 2217, 0x82989176, 0xafc7327f",
        "153.39.163.191, 44251, 202.188.127.2, 1303, 0x5d1809c5, 0x10e828a2",
        "3ffe:2501:200:1fff::7, 2794, 3ffe:2501:200:3::1, 1766, 0x2cc18cd5, 0x40207d3d",
        "3ffe:501:8::260:97ff:fe40:efab, 14230, ff02::1, 4739, 0x0f0c461c, 0xdde51bbf",
        "3ffe:1900:4545:3:200:f8ff:fe21:67cf, 44251, fe80::200:f8ff:fe21:67cf, 38024, 0x4b61e985, 0x02d1feef"
    })
    void microsoftVerificationVectors(
            String source,
            int sourcePort,
            String destination,
            int destinationPort,
            String addressesOnly,
            String withPorts)
            throws UnknownHostException {
        byte[] src = InetAddress.getByName(source).getAddress();
        byte[] dst = InetAddress.getByName(destination).getAddress();
        ByteBuffer input = ByteBuffer.allocate(2 * src.length + 4)
                .put(src)
                .put(dst)
                .putShort((short) sourcePort)
                .putShort((short) destinationPort);
        Toeplitz toeplitz = Toeplitz.microsoftDefault();
        byte[] addresses = java.util.Arrays.copyOf(input.array(), 2 * src.length);
        assertEquals(Integer.parseUnsignedInt(addressesOnly.substring(2), 16), toeplitz.hash(addresses));
        assertEquals(Integer.parseUnsignedInt(withPorts.substring(2), 16), toeplitz.hash(input.array()));
    }

    /** The table-driven hash equals the definition, bit by bit, for any key and input. */
    @Property
    void tableMatchesTheBitwiseDefinition(
            @ForAll @Size(min = 5, max = 52) byte[] key, @ForAll @Size(max = 48) byte[] input) {
        byte[] fitting = java.util.Arrays.copyOf(input, Math.min(input.length, key.length - 4));
        assertEquals(bitwise(key, fitting), new Toeplitz(key).hash(fitting));
    }

    /** Parts hashed at their positions XOR to the hash of the whole (how a packet's tuple is hashed in place). */
    @Property
    void partsXorToTheWhole(@ForAll @Size(36) byte[] input, @ForAll int split) {
        int at = Math.floorMod(split, 37);
        Toeplitz toeplitz = Toeplitz.microsoftDefault();
        MemorySegment segment = MemorySegment.ofArray(input);
        assertEquals(toeplitz.hash(input), toeplitz.hash(segment, 0, at, 0) ^ toeplitz.hash(segment, at, 36 - at, at));
    }

    @org.junit.jupiter.api.Test
    void inputsLongerThanTheKeyAllowsAreRefused() {
        Toeplitz toeplitz = Toeplitz.microsoftDefault();
        assertEquals(36, toeplitz.maximumInputLength());
        assertThrows(IllegalArgumentException.class, () -> toeplitz.hash(new byte[37]));
        assertThrows(IllegalArgumentException.class, () -> new Toeplitz(new byte[4]));
    }

    private static int bitwise(byte[] key, byte[] input) {
        int result = 0;
        for (int bit = 0; bit < input.length * 8; bit++) {
            if ((input[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                int window = 0;
                for (int k = 0; k < 32; k++) {
                    int keyBit = bit + k;
                    window = (window << 1) | ((key[keyBit / 8] >> (7 - keyBit % 8)) & 1);
                }
                result ^= window;
            }
        }
        return result;
    }
}
