package org.nbl4j.io.device;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The other JVM of {@link DeviceSocketsTest#separateJvm}: echoes, rings the test's pending wait, leaves a wait of its
 * own pending and exits without closing its handle.
 */
public final class DeviceClientMain {
    private DeviceClientMain() {}

    public static void main(String[] args) throws Exception {
        DeviceHandle handle = DeviceHandle.open(Path.of(args[0]));
        IoResult echo =
                handle.deviceIoControl(DoorbellDriver.IOCTL_ECHO, "hello".getBytes(StandardCharsets.US_ASCII), 5);
        System.out.println("echo=" + new String(echo.output(), StandardCharsets.US_ASCII));
        IoResult ring =
                handle.deviceIoControl(DoorbellDriver.IOCTL_RING, "from-jvm".getBytes(StandardCharsets.US_ASCII), 0);
        if (!ring.succeeded()) {
            throw new IllegalStateException("ring failed: " + Integer.toHexString(ring.status()));
        }
        handle.deviceIoControlAsync(DoorbellDriver.IOCTL_WAIT, new byte[0], 8);
        handle.deviceIoControl(DoorbellDriver.IOCTL_ECHO, new byte[0], 0); // the wait is queued by now
        Runtime.getRuntime().halt(0);
    }
}
