package org.nbl4j.io.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.ddk.DRIVER_OBJECT;
import org.nbl4j.stack.ddk.SystemIo;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.kernel.KernelRule;

/**
 * User mode against a live device: a driver's symbolic link becomes a socket, and the Java client, a Python program
 * and a second JVM open it, send IOCTLs that complete at once or pend (the inverted call), and go away with their
 * requests still pending, which the driver's cancel routine then completes.
 */
class DeviceSocketsTest {
    @TempDir
    Path directory;

    private Ndis ndis;
    private IoManager io;
    private SystemIo.Binding binding;
    private DeviceSockets sockets;
    private final DRIVER_OBJECT driverObject = new DRIVER_OBJECT();
    private final DoorbellDriver driver = new DoorbellDriver();
    private Path socket;
    /** The one rule a test breaks on purpose, if any. */
    private @Nullable Rule expectedRule;

    @BeforeEach
    void load() throws IOException {
        ndis = Ndis.createChecked(VerifierSettings.standard().withPolicy(ViolationPolicy.COLLECT));
        io = new IoManager(ndis);
        binding = SystemIo.bind(io);
        sockets = new DeviceSockets(io, directory).start();
        assertEquals(NtStatus.STATUS_SUCCESS, driver.DriverEntry(driverObject));
        socket = DeviceSockets.socketPath(directory, DoorbellDriver.LINK_NAME);
    }

    @AfterEach
    void unload() {
        sockets.close();
        assertEquals(0, SystemIo.unload(driverObject), "no IRP left pending");
        assertEquals(
                List.of(),
                ndis.verifier().violations().stream()
                        .filter(violation -> violation.rule() != expectedRule)
                        .toList());
        binding.close();
        ndis.close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(5);
        }
    }

    @Test
    @DisplayName("the link is a socket named after it; its deletion removes the socket")
    void linkIsASocket() {
        assertEquals(directory.resolve("doorbell"), socket);
        assertTrue(Files.exists(socket));
        assertEquals(NtStatus.STATUS_SUCCESS, io.deleteSymbolicLink(DoorbellDriver.LINK_NAME));
        assertFalse(Files.exists(socket));
        assertThrows(IOException.class, () -> DeviceHandle.open(socket));
        assertEquals(NtStatus.STATUS_SUCCESS, io.createSymbolicLink(DoorbellDriver.LINK_NAME, "\\Device\\Doorbell"));
    }

    @Test
    @DisplayName("Java client: synchronous echo, overlapped waits completed by a ring, CancelIoEx, CloseHandle")
    void javaClient() throws Exception {
        try (DeviceHandle application = DeviceHandle.open(socket);
                DeviceHandle bell = DeviceHandle.open(socket)) {
            IoResult echo = application.deviceIoControl(DoorbellDriver.IOCTL_ECHO, bytes("ping"), 16);
            assertEquals(NtStatus.STATUS_SUCCESS, echo.status());
            assertArrayEquals(bytes("ping"), echo.output());

            DeviceHandle.Request first = application.deviceIoControlAsync(DoorbellDriver.IOCTL_WAIT, new byte[0], 8);
            DeviceHandle.Request second = application.deviceIoControlAsync(DoorbellDriver.IOCTL_WAIT, new byte[0], 8);
            DeviceHandle.Request third = application.deviceIoControlAsync(DoorbellDriver.IOCTL_WAIT, new byte[0], 8);
            // the ring is sent on another handle: it may overtake the waits on the server, so ring until one answers
            eventually(
                    () -> {
                        try {
                            return bell.deviceIoControl(DoorbellDriver.IOCTL_RING, bytes("ding"), 0)
                                    .succeeded();
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    },
                    "a wait was queued");
            IoResult rung = first.result().get(10, TimeUnit.SECONDS);
            assertArrayEquals(bytes("ding"), rung.output());
            application.cancel(second);
            assertEquals(
                    NtStatus.STATUS_CANCELLED,
                    second.result().get(10, TimeUnit.SECONDS).status());
            assertFalse(third.result().isDone());
            application.close();
            assertEquals(
                    NtStatus.STATUS_CANCELLED,
                    third.result().get(10, TimeUnit.SECONDS).status(),
                    "CloseHandle cancelled the last wait");
        }
        assertEquals(2, driver.cancelled);
        eventually(() -> driver.closes == 2, "both handles closed");
        assertEquals(2, driver.cleanups);
    }

    @Test
    @DisplayName("a dispatch routine that throws: DRIVER_ROUTINE_THREW at its line, and the client sees its handle end")
    void dispatchRoutineThrows() throws Exception {
        expectedRule = KernelRule.DRIVER_ROUTINE_THREW;
        DeviceHandle application = DeviceHandle.open(socket);
        DeviceHandle.Request crash = application.deviceIoControlAsync(DoorbellDriver.IOCTL_CRASH, new byte[0], 0);
        eventually(() -> crash.result().isDone(), "the client heard of its request");
        assertTrue(crash.result().isCompletedExceptionally(), "the connection ended: the request will never complete");
        eventually(() -> driver.closes == 1, "the handle was closed as CloseHandle would");
        List<Violation> thrown = ndis.verifier().violations();
        assertEquals(1, thrown.size(), thrown::toString);
        Violation violation = thrown.getFirst();
        assertEquals(KernelRule.DRIVER_ROUTINE_THREW, violation.rule());
        assertTrue(violation.detail().startsWith("java.lang.NullPointerException"), violation.detail());
        assertTrue(
                violation.site().where().startsWith("org.nbl4j.io.device.DoorbellDriver.DispatchDeviceControl("),
                violation.site().where());
        application.disconnect();
    }

    @Test
    @DisplayName("a reply is not held back while the next request's dispatch routine waits (for what the client does"
            + " once it has that reply)")
    void replyGoesOutBeforeADispatchRoutineWaits() throws Exception {
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                DeviceHandle bell = DeviceHandle.open(socket)) {
            DeviceProtocol.write(raw, DeviceProtocol.request(DeviceProtocol.OP_CREATE, 1, 0, 0, new byte[0]));
            assertEquals(NtStatus.STATUS_SUCCESS, DeviceProtocol.readReply(raw).status());
            // ECHO and AWAIT_RING in one write: the connection reads both, and dispatches AWAIT_RING while ECHO's reply
            // is gathered with whatever else completes; AWAIT_RING's wait must send it first
            ByteBuffer both = ByteBuffer.allocate(256);
            both.put(DeviceProtocol.request(DeviceProtocol.OP_IOCTL, 2, DoorbellDriver.IOCTL_ECHO, 4, bytes("ping")));
            both.put(DeviceProtocol.request(
                    DeviceProtocol.OP_IOCTL, 3, DoorbellDriver.IOCTL_AWAIT_RING, 0, new byte[0]));
            DeviceProtocol.write(raw, both.flip());
            DeviceProtocol.Reply echo = DeviceProtocol.readReply(raw);
            assertEquals(2, echo.requestId());
            // the client answers the echo with a ring, which the waiting dispatch routine sees
            assertEquals(
                    NtStatus.STATUS_DEVICE_NOT_READY,
                    bell.deviceIoControl(DoorbellDriver.IOCTL_RING, bytes("ding"), 0)
                            .status(),
                    "no IOCTL_WAIT is pending; the ring only sets the event");
            DeviceProtocol.Reply awaited = DeviceProtocol.readReply(raw);
            assertEquals(3, awaited.requestId());
            assertEquals(NtStatus.STATUS_SUCCESS, awaited.status(), "the ring came within the wait");
            DeviceProtocol.write(raw, DeviceProtocol.request(DeviceProtocol.OP_CLOSE, 4, 0, 0, new byte[0]));
            assertEquals(4, DeviceProtocol.readReply(raw).requestId());
        }
        eventually(() -> driver.closes == 2, "both handles closed");
    }

    @Test
    @DisplayName("a client that goes away without CloseHandle: its pending IRPs are cancelled, then CLEANUP and CLOSE")
    void clientDies() throws Exception {
        DeviceHandle application = DeviceHandle.open(socket);
        DeviceHandle.Request wait = application.deviceIoControlAsync(DoorbellDriver.IOCTL_WAIT, new byte[0], 8);
        application.deviceIoControl(DoorbellDriver.IOCTL_ECHO, new byte[0], 0); // the wait is queued by now
        application.disconnect();
        eventually(() -> driver.closes == 1, "the handle was closed for the dead client");
        assertEquals(1, driver.cancelled);
        assertEquals(1, driver.cleanups);
        assertTrue(wait.result().isCompletedExceptionally(), "the client saw its connection end");
    }

    @Test
    @DisplayName("a client that stops reading never blocks the thread completing its IRPs; it reads them all later")
    void clientThatDoesNotRead() throws Exception {
        // Far more reply bytes than the socket buffers hold: completing them on the ringing thread would block it.
        int waits = 40;
        byte[] chime = new byte[60_000];
        Arrays.fill(chime, (byte) 'd');
        // The stalled client is closed first, so that a thread blocked writing to it (the rule broken) gets free.
        try (DeviceHandle bell = DeviceHandle.open(socket);
                SocketChannel stalled = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            DeviceProtocol.write(stalled, DeviceProtocol.request(DeviceProtocol.OP_CREATE, 1, 0, 0, new byte[0]));
            for (int id = 100; id < 100 + waits; id++) {
                DeviceProtocol.write(
                        stalled,
                        DeviceProtocol.request(
                                DeviceProtocol.OP_IOCTL, id, DoorbellDriver.IOCTL_WAIT, chime.length, new byte[0]));
            }
            DeviceProtocol.write(
                    stalled,
                    DeviceProtocol.request(DeviceProtocol.OP_IOCTL, 2, DoorbellDriver.IOCTL_ECHO, 0, new byte[0]));
            assertEquals(1, DeviceProtocol.readReply(stalled).requestId(), "CREATE");
            // Requests on one handle are dispatched in order: after the ECHO's reply every wait is queued.
            assertEquals(2, DeviceProtocol.readReply(stalled).requestId(), "ECHO");

            // The client reads nothing more. Each ring completes one of its waits on the bell's thread.
            for (int ring = 0; ring < waits; ring++) {
                IoResult rung = bell.deviceIoControlAsync(DoorbellDriver.IOCTL_RING, chime, 0)
                        .result()
                        .get(10, TimeUnit.SECONDS);
                assertEquals(NtStatus.STATUS_SUCCESS, rung.status(), "ring " + ring);
            }

            // Now it reads: every wait was completed, in order, with the whole chime.
            for (int id = 100; id < 100 + waits; id++) {
                DeviceProtocol.Reply reply = DeviceProtocol.readReply(stalled);
                assertEquals(id, reply.requestId());
                assertEquals(NtStatus.STATUS_SUCCESS, reply.status());
                assertArrayEquals(chime, reply.output());
            }
        }
        eventually(() -> driver.closes == 2, "both handles closed");
        assertEquals(0, driver.cancelled, "nothing was left pending");
    }

    @Test
    @DisplayName("a second JVM opens the device, rings and exits with a wait pending; the driver cancels it")
    void separateJvm() throws Exception {
        try (DeviceHandle waiter = DeviceHandle.open(socket)) {
            DeviceHandle.Request wait = waiter.deviceIoControlAsync(DoorbellDriver.IOCTL_WAIT, new byte[0], 8);
            waiter.deviceIoControl(DoorbellDriver.IOCTL_ECHO, new byte[0], 0);
            String java = ProcessHandle.current().info().command().orElseThrow();
            String classPath = Path.of("target", "classes") + File.pathSeparator + Path.of("target", "test-classes");
            Process process = new ProcessBuilder(
                            java, "-cp", classPath, DeviceClientMain.class.getName(), socket.toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), output);
            assertTrue(output.contains("echo=hello"), output);
            assertArrayEquals(
                    bytes("from-jvm"), wait.result().get(10, TimeUnit.SECONDS).output());
        }
        eventually(() -> driver.closes == 2, "both handles closed");
        assertEquals(1, driver.cancelled, "the other JVM's own wait, left pending when it exited");
    }

    @Test
    @DisplayName("Python client: CreateFile, DeviceIoControl sync and overlapped, CancelIoEx, CloseHandle, then a kill")
    void pythonClient() throws Exception {
        Path script = Path.of("src", "test", "python", "doorbell_client.py").toAbsolutePath();
        Process process = new ProcessBuilder("python3", script.toString(), socket.toString())
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("echo=b'hello'"), output);
        assertTrue(output.contains("rung=b'ding'"), output);
        assertTrue(output.contains("cancelled=True"), output);
        eventually(() -> driver.closes == 2, "the script's handles closed: " + output);
        // one wait cancelled by CancelIoEx, one left pending when the script died with os._exit
        assertEquals(2, driver.cancelled, output);
    }
}
