package org.nbl4j.io.capture;

import java.io.IOException;

/**
 * A capture file that is truncated or corrupt, with the record where reading stopped.
 *
 * <p>The record number counts from 1 in file order: pcap packet records (0 names the file header), or pcapng blocks of
 * every type (the first section header block is record 1). The byte offset is where that record starts in the file.
 */
public final class CaptureFormatException extends IOException {
    private final long recordNumber;
    private final long byteOffset;

    /** A problem with the record numbered {@code recordNumber} that starts at {@code byteOffset}. */
    public CaptureFormatException(String problem, long recordNumber, long byteOffset) {
        super("record " + recordNumber + " at byte offset " + byteOffset + ": " + problem);
        this.recordNumber = recordNumber;
        this.byteOffset = byteOffset;
    }

    /** The record where reading stopped, counted from 1 (0 for a pcap file header). */
    public long recordNumber() {
        return recordNumber;
    }

    /** Where that record starts in the file. */
    public long byteOffset() {
        return byteOffset;
    }
}
