package org.nbl4j.io.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.io.testing.Commands;
import org.nbl4j.io.testing.TestTools;
import org.nbl4j.stack.ddk.DRIVER_OBJECT;
import org.nbl4j.stack.ddk.SystemIo;
import org.nbl4j.stack.device.IoManager;

/**
 * Output buffers in memory the client shares with the server (MAP, IOCTL_MAPPED): what a driver writes through a
 * pended OUT_DIRECT IRP's MDL is in the client's mapping at once, METHOD_BUFFERED's output is copied there at
 * completion, MAP maps only the client's own regular files, and the mapping outlives the handle while an IRP uses it.
 */
class MappedBuffersTest {
    private static final long RING_BYTES = 4096;

    @TempDir
    Path directory;

    private Ndis ndis;
    private SystemIo.Binding binding;
    private DeviceSockets sockets;
    private final DRIVER_OBJECT driverObject = new DRIVER_OBJECT();
    private final RingDriver driver = new RingDriver();
    private Path socket;
    private Path ringFile;

    @BeforeEach
    void load() throws IOException {
        ndis = Ndis.createChecked(VerifierSettings.standard().withPolicy(ViolationPolicy.COLLECT));
        IoManager io = new IoManager(ndis);
        binding = SystemIo.bind(io);
        sockets = new DeviceSockets(io, directory.resolve("devices")).start();
        assertEquals(NtStatus.STATUS_SUCCESS, driver.DriverEntry(driverObject));
        socket = DeviceSockets.socketPath(directory.resolve("devices"), RingDriver.LINK_NAME);
        ringFile = directory.resolve("ring");
    }

    @AfterEach
    void unload() {
        sockets.close();
        assertEquals(0, SystemIo.unload(driverObject), "no IRP left pending");
        assertEquals(List.of(), ndis.verifier().violations());
        binding.close();
        ndis.close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(MemorySegment memory, long offset, int length) {
        return new String(memory.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(2);
        }
    }

    /** How many mappings of {@code file} this process has: the client's and the server's are both in it. */
    /** Waits until no mapping of the ring file is left in this process (the server's is the last to go). */
    private void awaitUnmapped(String what) throws InterruptedException {
        eventually(
                () -> {
                    try {
                        return mappingsOf(ringFile) == 0;
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                },
                what);
    }

    private static long mappingsOf(Path file) throws IOException {
        String name = file.toAbsolutePath().toString();
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(line -> line.endsWith(name)).count();
        }
    }

    @Test
    @DisplayName("Python client: Map, then a mapped OUT_DIRECT request whose MDL the driver writes through while it is"
            + " pending; the script sees the writes in its own mapping, and the reply carries no output bytes")
    void pythonClient() throws Exception {
        TestTools.require("python3");
        Path script = Path.of("src", "test", "python", "mapped_client.py").toAbsolutePath();
        String output = Commands.run(
                "python3",
                script.toString(),
                socket.toString(),
                ringFile.toAbsolutePath().toString());
        assertTrue(output.contains("parked=b'head'"), output);
        assertTrue(output.contains("pending=True while=b'head+more'"), output);
        assertTrue(output.contains("released=0 information=10 output=b'' ring=b'head+more!'"), output);
        awaitUnmapped("the server unmapped once the script's handle closed");
    }

    @Test
    @DisplayName("OUT_DIRECT: the driver's writes into a pended IRP's MDL are in the client's mapping before the reply")
    void outDirectWritesAreSeenWhilePending() throws Exception {
        try (DeviceHandle application = DeviceHandle.open(socket)) {
            MemorySegment ring = application.map(ringFile, RING_BYTES);
            assertEquals(2, mappingsOf(ringFile), "the client's mapping and the server's");
            DeviceHandle.Request parked =
                    application.deviceIoControlMappedAsync(RingDriver.IOCTL_PARK, bytes("head"), 100, 64);
            eventually(() -> text(ring, 100, 4).equals("head"), "the dispatch routine's write reached the mapping");
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    application
                            .deviceIoControl(RingDriver.IOCTL_WRITE, bytes("+more"), 0)
                            .status());
            // the reply of IOCTL_WRITE came after the driver wrote: no polling needed for this one
            assertEquals("head+more", text(ring, 100, 9));
            assertFalse(parked.result().isDone(), "the IRP the driver wrote through is still pending");

            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    application
                            .deviceIoControl(RingDriver.IOCTL_RELEASE, bytes("!"), 0)
                            .status());
            IoResult released = parked.result().get(10, TimeUnit.SECONDS);
            assertEquals(NtStatus.STATUS_SUCCESS, released.status());
            assertEquals(10, released.information());
            assertArrayEquals(new byte[0], released.output(), "no output bytes in the reply");
            assertEquals("head+more!", text(ring, 100, 10));
            assertEquals(0, ring.get(ValueLayout.JAVA_BYTE, 99), "nothing written before the output buffer");
        }
        assertEquals(0, mappingsOf(ringFile), "both sides unmapped once the handle closed");
    }

    @Test
    @DisplayName("METHOD_BUFFERED: the first Information bytes of the system buffer land in the mapping at completion")
    void bufferedOutputIsCopiedAtCompletion() throws Exception {
        try (DeviceHandle application = DeviceHandle.open(socket)) {
            MemorySegment ring = application.map(ringFile, RING_BYTES);
            IoResult filled = application.deviceIoControlMapped(RingDriver.IOCTL_FILL_BUFFERED, bytes("abc"), 8, 8);
            assertEquals(NtStatus.STATUS_SUCCESS, filled.status());
            assertEquals(3, filled.information());
            assertArrayEquals(new byte[0], filled.output());
            assertEquals("abc", text(ring, 8, 3));
            assertEquals(0, ring.get(ValueLayout.JAVA_BYTE, 11), "only Information bytes are copied back");

            IoResult neither =
                    application.deviceIoControlMapped(RingDriver.IOCTL_FILL_NEITHER, bytes("raw"), RING_BYTES - 3, 3);
            assertEquals(NtStatus.STATUS_SUCCESS, neither.status());
            assertArrayEquals(new byte[0], neither.output());
            assertEquals("raw", text(ring, RING_BYTES - 3, 3), "METHOD_NEITHER's UserBuffer is the mapping");
        }
    }

    @Test
    @DisplayName("IOCTL_MAPPED out of the mapping or without one: STATUS_INVALID_PARAMETER, the driver not called")
    void outOfRangeIsRefusedBeforeTheDriver() throws Exception {
        try (DeviceHandle application = DeviceHandle.open(socket)) {
            assertEquals(
                    NtStatus.STATUS_INVALID_PARAMETER,
                    application
                            .deviceIoControlMapped(RingDriver.IOCTL_FILL_NEITHER, bytes("x"), 0, 1)
                            .status(),
                    "no mapping yet");
            application.map(ringFile, RING_BYTES);
            for (long[] range : new long[][] {
                {RING_BYTES - 3, 4}, {RING_BYTES + 1, 0}, {-1, 1}, {0, -1}, {Long.MIN_VALUE, 2}, {0, RING_BYTES + 1}
            }) {
                assertEquals(
                        NtStatus.STATUS_INVALID_PARAMETER,
                        application
                                .deviceIoControlMapped(
                                        RingDriver.IOCTL_FILL_NEITHER, bytes("x"), range[0], (int) range[1])
                                .status(),
                        Arrays.toString(range));
            }
            assertEquals(0, driver.deviceControls, "no refused request reached the driver");
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    application
                            .deviceIoControlMapped(RingDriver.IOCTL_FILL_NEITHER, new byte[0], RING_BYTES, 0)
                            .status(),
                    "an empty buffer at the end is inside");
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    application
                            .deviceIoControlMapped(RingDriver.IOCTL_FILL_NEITHER, bytes("end"), RING_BYTES - 3, 3)
                            .status(),
                    "the handle is still usable");
        }
    }

    @Test
    @DisplayName("MAP refuses a symbolic link and a second mapping; the handle goes on")
    void mapChecksTheFile() throws Exception {
        try (DeviceHandle application = DeviceHandle.open(socket)) {
            Path target = Files.write(directory.resolve("target"), new byte[(int) RING_BYTES]);
            Path link = Files.createSymbolicLink(directory.resolve("link"), target);
            assertRefused(NtStatus.STATUS_REPARSE_POINT_ENCOUNTERED, () -> application.map(link, RING_BYTES));
            assertEquals(0, mappingsOf(target), "the client unmapped what the server refused");

            application.map(target, RING_BYTES);
            assertRefused(NtStatus.STATUS_INVALID_DEVICE_REQUEST, () -> application.map(ringFile, RING_BYTES));
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    application
                            .deviceIoControlMapped(RingDriver.IOCTL_FILL_NEITHER, bytes("ok"), 0, 2)
                            .status());
        }
    }

    @Test
    @DisplayName("MAP refuses a file the client's user does not own (the server runs as root)")
    void mapRefusesAnotherUsersFile() throws Exception {
        assumeTrue((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0, "needs root to chown");
        Path foreign = Files.write(directory.resolve("foreign"), new byte[(int) RING_BYTES]);
        Files.setAttribute(foreign, "unix:uid", 65534);
        try (DeviceHandle application = DeviceHandle.open(socket)) {
            assertRefused(NtStatus.STATUS_ACCESS_DENIED, () -> application.map(foreign, RING_BYTES));
            application.map(ringFile, RING_BYTES);
        }
    }

    @Test
    @DisplayName(
            "MAP checked from a raw client: before CREATE, relative path, size 0, size beyond the file, a directory, a FIFO, no file")
    void mapFrameChecks() throws Exception {
        Files.write(ringFile, new byte[(int) RING_BYTES]);
        String path = ringFile.toAbsolutePath().toString();
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            assertEquals(NtStatus.STATUS_INVALID_HANDLE, exchange(raw, DeviceProtocol.mapRequest(1, RING_BYTES, path)));
            assertEquals(
                    NtStatus.STATUS_INVALID_HANDLE,
                    exchange(
                            raw,
                            DeviceProtocol.mappedIoctlRequest(2, RingDriver.IOCTL_FILL_NEITHER, 0, 0, new byte[0])));
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    exchange(raw, DeviceProtocol.request(DeviceProtocol.OP_CREATE, 3, 0, 0, new byte[0])));
            assertEquals(
                    NtStatus.STATUS_OBJECT_PATH_SYNTAX_BAD,
                    exchange(raw, DeviceProtocol.mapRequest(4, RING_BYTES, "ring")));
            assertEquals(NtStatus.STATUS_INVALID_PARAMETER, exchange(raw, DeviceProtocol.mapRequest(5, 0, path)));
            assertEquals(
                    NtStatus.STATUS_INVALID_VIEW_SIZE,
                    exchange(raw, DeviceProtocol.mapRequest(6, RING_BYTES + 1, path)));
            assertEquals(
                    NtStatus.STATUS_OBJECT_NAME_NOT_FOUND,
                    exchange(raw, DeviceProtocol.mapRequest(7, RING_BYTES, path + ".missing")));
            assertEquals(
                    NtStatus.STATUS_FILE_IS_A_DIRECTORY,
                    exchange(raw, DeviceProtocol.mapRequest(10, 1, directory.toString())));
            Path fifo = directory.resolve("fifo");
            assertEquals(
                    0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
            assertEquals(
                    NtStatus.STATUS_INVALID_FILE_FOR_SECTION,
                    exchange(raw, DeviceProtocol.mapRequest(11, 1, fifo.toString())));
            assertEquals(NtStatus.STATUS_SUCCESS, exchange(raw, DeviceProtocol.mapRequest(8, RING_BYTES, path)));
            assertEquals(1, mappingsOf(ringFile), "the server's mapping");
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    exchange(raw, DeviceProtocol.request(DeviceProtocol.OP_CLOSE, 9, 0, 0, new byte[0])));
        }
        awaitUnmapped("the server unmapped at CLOSE");
    }

    @Test
    @DisplayName(
            "a MAP or IOCTL_MAPPED frame shorter than its fixed fields ends the connection, as a malformed frame does")
    void shortFramesEndTheConnection() throws Exception {
        for (java.nio.ByteBuffer whole : List.of(
                DeviceProtocol.mapRequest(2, RING_BYTES, ""),
                DeviceProtocol.mappedIoctlRequest(2, RingDriver.IOCTL_FILL_NEITHER, 0, 0, new byte[0]))) {
            // the frame cut 4 bytes short, its length field saying so
            java.nio.ByteBuffer cut =
                    java.nio.ByteBuffer.allocate(whole.remaining() - 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            cut.putInt(whole.getInt() - 4).put(whole.limit(whole.limit() - 4)).flip();
            try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                assertEquals(
                        NtStatus.STATUS_SUCCESS,
                        exchange(raw, DeviceProtocol.request(DeviceProtocol.OP_CREATE, 1, 0, 0, new byte[0])));
                DeviceProtocol.write(raw, cut);
                assertThrows(IOException.class, () -> DeviceProtocol.readReply(raw));
            }
        }
        assertEquals(0, driver.deviceControls);
    }

    @Test
    @DisplayName("closing the handle with a pended mapped IRP: its cancel routine still writes through the MDL, then"
            + " the mapping is released")
    void closeCancelsThenUnmaps() throws Exception {
        DeviceHandle application = DeviceHandle.open(socket);
        application.map(ringFile, RING_BYTES);
        DeviceHandle.Request parked = application.deviceIoControlMappedAsync(RingDriver.IOCTL_PARK, bytes("ab"), 0, 16);
        eventually(() -> driver.deviceControls == 1, "the IRP was parked");
        application.close();
        assertEquals(1, driver.cancelled);
        IoResult cancelled = parked.result().get(10, TimeUnit.SECONDS);
        assertEquals(NtStatus.STATUS_CANCELLED, cancelled.status());
        assertEquals(3, cancelled.information());
        byte[] file = Files.readAllBytes(ringFile);
        assertEquals("abC", new String(file, 0, 3, StandardCharsets.US_ASCII), "the cancel routine's mark");
        awaitUnmapped("the server unmapped once the IRP completed");
    }

    @Test
    @DisplayName("an IRP that outlives its handle keeps the mapping: the driver writes through its MDL after the close")
    void pendingIrpKeepsTheMappingAfterClose() throws Exception {
        driver.putOffCancel = true;
        DeviceHandle application = DeviceHandle.open(socket);
        application.map(ringFile, RING_BYTES);
        application.deviceIoControlMappedAsync(RingDriver.IOCTL_PARK, bytes("ab"), 0, 16);
        eventually(() -> driver.deviceControls == 1, "the IRP was parked");
        application.close();
        assertEquals(1, driver.cancelled);
        assertEquals(1, mappingsOf(ringFile), "the server's mapping stays while the IRP is pending");
        try (DeviceHandle other = DeviceHandle.open(socket)) {
            assertEquals(
                    NtStatus.STATUS_SUCCESS,
                    other.deviceIoControl(RingDriver.IOCTL_RELEASE, bytes("late"), 0)
                            .status());
        }
        byte[] file = Files.readAllBytes(ringFile);
        assertEquals("ablate", new String(file, 0, 6, StandardCharsets.US_ASCII));
        assertEquals(0, mappingsOf(ringFile), "unmapped when the IRP completed");
    }

    private static int exchange(SocketChannel raw, java.nio.ByteBuffer frame) throws IOException {
        DeviceProtocol.write(raw, frame);
        return DeviceProtocol.readReply(raw).status();
    }

    private static void assertRefused(int status, org.junit.jupiter.api.function.Executable map) {
        IOException refused = assertThrows(IOException.class, map);
        assertTrue(
                refused.getMessage().endsWith("0x" + Integer.toHexString(status)),
                refused.getMessage() + " is not 0x" + Integer.toHexString(status));
    }
}
