package org.nbl4j.io.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.core.status.NtStatus;

/** The Java client against a server that breaks the protocol: what a caller sees once the reply reader has ended. */
class DeviceHandleTest {
    @TempDir
    Path directory;

    @Test
    @DisplayName("a request sent after the reply reader ended fails at once instead of waiting for ever")
    void requestAfterTheReaderEndedFails() throws Exception {
        Path socket = directory.resolve("broken");
        CountDownLatch done = new CountDownLatch(1);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread serving = Thread.ofPlatform().start(() -> {
                try (SocketChannel connection = server.accept()) {
                    DeviceProtocol.Request create = DeviceProtocol.readRequest(connection);
                    ByteBuffer frame = ByteBuffer.allocate(DeviceProtocol.REPLY_HEADER_LENGTH + 4)
                            .order(ByteOrder.LITTLE_ENDIAN);
                    DeviceProtocol.putReplyHeader(frame, create.requestId(), NtStatus.STATUS_SUCCESS, 0, 0);
                    frame.putInt(4); // then a frame too short to be a reply: the client's reader ends on it
                    DeviceProtocol.write(connection, frame.flip());
                    // The connection stays open, so the client's later requests are written without an error.
                    done.await(10, TimeUnit.SECONDS);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            DeviceHandle handle = DeviceHandle.open(socket);
            DeviceHandle.Request first = handle.deviceIoControlAsync(0x00222400, new byte[0], 0);
            // The reader may end before or after this request went out: either way it fails.
            ExecutionException failedFirst =
                    assertThrows(ExecutionException.class, () -> first.result().get(5, TimeUnit.SECONDS));
            assertInstanceOf(IOException.class, failedFirst.getCause());

            DeviceHandle.Request late = handle.deviceIoControlAsync(0x00222400, new byte[0], 0);
            ExecutionException failedLate =
                    assertThrows(ExecutionException.class, () -> late.result().get(5, TimeUnit.SECONDS));
            assertEquals(failedFirst.getCause(), failedLate.getCause(), "the reader's own reason");
            done.countDown();
            handle.disconnect();
            serving.join();
        }
    }
}
