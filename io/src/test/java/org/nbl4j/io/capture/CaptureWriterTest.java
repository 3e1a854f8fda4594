package org.nbl4j.io.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureWriterTest {
    private static final byte[] ECHO_V4 = TestPackets.echoV4(1, new byte[100]);

    @Test
    void refusesPacketsThatNoFileCanHold() throws IOException {
        try (CaptureWriter writer =
                CaptureWriter.pcapng(Channels.newChannel(new ByteArrayOutputStream()), List.of("a"))) {
            MemorySegment packet = MemorySegment.ofArray(ECHO_V4);
            assertThrows(IllegalArgumentException.class, () -> writer.write(1, 0, ECHO_V4.length, packet));
            assertThrows(IllegalArgumentException.class, () -> writer.write(-1, 0, ECHO_V4.length, packet));
            assertThrows(IllegalArgumentException.class, () -> writer.write(0, -1, ECHO_V4.length, packet));
            assertThrows(IllegalArgumentException.class, () -> writer.write(0, 0, ECHO_V4.length - 1, packet));
            MemorySegment huge = MemorySegment.ofArray(new byte[CaptureInput.MAX_PACKET + 1]);
            assertThrows(IllegalArgumentException.class, () -> writer.write(0, 0, Integer.MAX_VALUE, huge));
        }
        try (CaptureWriter writer = CaptureWriter.pcap(Channels.newChannel(new ByteArrayOutputStream()))) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> writer.write(0, (1L << 32) * 1_000_000_000L, ECHO_V4.length, MemorySegment.ofArray(ECHO_V4)));
        }
        assertThrows(
                IllegalArgumentException.class,
                () -> CaptureWriter.pcapng(Channels.newChannel(new ByteArrayOutputStream()), List.of()));
    }

    @Test
    void manyLargePacketsPassThroughTheFixedBufferInOrder(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("large.pcapng");
        byte[] largest = TestPackets.ipv6(TestPackets.UDP, new byte[65_535 - 40]);
        try (CaptureWriter writer = CaptureWriter.create(file, CaptureFormat.PCAPNG, List.of("a"))) {
            for (int i = 0; i < 20; i++) {
                largest[50] = (byte) i;
                writer.write(0, i, largest.length, MemorySegment.ofArray(largest));
            }
        }
        try (CaptureReader reader = CaptureReader.open(file)) {
            for (int i = 0; i < 20; i++) {
                CapturedPacket packet = reader.next();
                largest[50] = (byte) i;
                assertEquals(new CapturedPacket(0, i, largest.length, largest), packet);
            }
            assertEquals(null, reader.next());
        }
    }

    @Test
    void readIntoFillsCallerMemoryAndReportsTheFullLengthWhenItDoesNotFit() throws IOException {
        byte[] file = Captures.write(
                CaptureFormat.PCAPNG,
                List.of("a", "b"),
                List.of(new CapturedPacket(1, 42, 1000, ECHO_V4), new CapturedPacket(0, 43, 128, ECHO_V4)));
        try (Arena arena = Arena.ofConfined();
                CaptureReader reader = Captures.reader(file)) {
            MemorySegment destination = arena.allocate(2048);
            assertEquals(ECHO_V4.length, reader.readInto(destination));
            assertEquals(1, reader.interfaceId());
            assertEquals(42, reader.timestampNanos());
            assertEquals(1000, reader.originalLength());
            assertArrayEquals(ECHO_V4, destination.asSlice(0, ECHO_V4.length).toArray(ValueLayout.JAVA_BYTE));

            MemorySegment small = arena.allocate(16);
            assertEquals(ECHO_V4.length, reader.readInto(small), "like MSG_TRUNC: the whole length");
            assertArrayEquals(Arrays.copyOf(ECHO_V4, 16), small.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(-1, reader.readInto(destination));
        }
    }
}
