package org.nbl4j.stack.ip;

import java.nio.charset.StandardCharsets;

/**
 * The process that owns a host flow's socket: what Windows' ALE layers give a callout as {@code
 * FWPS_METADATA_FIELD_PROCESS_ID}, {@code FWPS_METADATA_FIELD_PROCESS_PATH} and the {@code ALE_APP_ID} field. On Windows
 * the path is the executable's NT device path, lowercased, as a NUL-terminated UTF-16LE {@code FWP_BYTE_BLOB}; nbl4j's
 * host is a Linux namespace, so the path is the executable's Linux path in the same encoding, which a driver that reads
 * {@code (wchar_t *) appId->data} reads as it would on Windows.
 *
 * @param processId the process id
 * @param path the executable's path
 */
public record SocketOwner(long processId, String path) {
    /** The path as an {@code FWP_BYTE_BLOB}'s bytes: UTF-16LE with a terminating NUL character. */
    public byte[] pathBlob() {
        return (path + '\0').getBytes(StandardCharsets.UTF_16LE);
    }
}
