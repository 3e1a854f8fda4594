package org.nbl4j.samples.forwardinject;

import static org.nbl4j.samples.forwardinject.UserVerdictIoctl.IOCTL_USERVERDICT_QUERY_STATISTICS;
import static org.nbl4j.samples.forwardinject.UserVerdictIoctl.LINK_NAME;
import static org.nbl4j.samples.forwardinject.UserVerdictIoctl.STATISTICS_COUNT;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.device.FileObject;
import org.nbl4j.stack.device.IoManager;

/**
 * Reads the user-verdict driver's counters from inside the JVM that runs it, for a benchmark or a test: a handle of
 * its own on {@link UserVerdictIoctl#LINK_NAME} through the I/O manager ({@code CreateFile}), one
 * {@code IOCTL_USERVERDICT_QUERY_STATISTICS} (completed in the dispatch routine), then {@code CloseHandle}.
 */
public final class UserVerdictStatistics {
    private UserVerdictStatistics() {}

    /**
     * The counters, in {@code STATISTICS_*} order.
     *
     * @throws IllegalStateException if the driver's device is not there or the request fails
     */
    public static long[] query(IoManager io) {
        FileObject file = io.open(LINK_NAME);
        if (file == null) {
            throw new IllegalStateException("no " + LINK_NAME);
        }
        file.create((status, information, output) -> {});
        long[] counters = new long[STATISTICS_COUNT];
        int[] result = {-1};
        file.deviceIoControl(
                IOCTL_USERVERDICT_QUERY_STATISTICS, new byte[0], STATISTICS_COUNT * Long.BYTES, (s, i, out) -> {
                    result[0] = s;
                    ByteBuffer.wrap(out)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .asLongBuffer()
                            .get(counters);
                });
        file.close();
        if (result[0] != NtStatus.STATUS_SUCCESS) {
            throw new IllegalStateException("QUERY_STATISTICS failed: 0x" + Integer.toHexString(result[0]));
        }
        return counters;
    }
}
