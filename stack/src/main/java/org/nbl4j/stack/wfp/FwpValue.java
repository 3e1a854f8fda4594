package org.nbl4j.stack.wfp;

import java.util.Arrays;

/**
 * One incoming value: {@code FWP_VALUE0} restricted to the types of the IP layers. Integers are held in
 * {@link #integer()} (IPv4 addresses as a UINT32 in host byte order, as callouts expect them, §4.3); IPv6 addresses in
 * {@link #bytes()}; byte blobs (the host layers' {@code ALE_APP_ID}) in {@link #blob()}. The engine refills the same objects for every packet, so a callout must copy what it keeps.
 */
public final class FwpValue {
    private FwpDataType type = FwpDataType.EMPTY;
    private long integer;
    private final byte[] bytes = new byte[16];
    private byte[] blob = NO_BLOB;

    private static final byte[] NO_BLOB = new byte[0];

    /** The value's type. */
    public FwpDataType type() {
        return type;
    }

    /** The integer value (unsigned) for the UINT types; 0 otherwise. */
    public long integer() {
        return integer;
    }

    /** The 16 bytes of a {@link FwpDataType#BYTE_ARRAY16} value; a reused array: copy it to keep it. */
    public byte[] bytes() {
        return bytes;
    }

    /**
     * The bytes of a {@link FwpDataType#BYTE_BLOB} value ({@code FWP_BYTE_BLOB}'s {@code data}, its length {@code
     * size}); empty for other types. Shared with the flow it describes: copy it to keep it, never write it.
     */
    public byte[] blob() {
        return blob;
    }

    void setEmpty() {
        type = FwpDataType.EMPTY;
        integer = 0;
        blob = NO_BLOB;
    }

    void setBlob(byte[] data) {
        type = FwpDataType.BYTE_BLOB;
        integer = 0;
        blob = data;
    }

    void setInteger(FwpDataType integerType, long value) {
        type = integerType;
        integer = value;
    }

    void setBytes16(byte[] source) {
        type = FwpDataType.BYTE_ARRAY16;
        integer = 0;
        System.arraycopy(source, 0, bytes, 0, 16);
    }

    @Override
    public String toString() {
        return switch (type) {
            case EMPTY -> "FWP_EMPTY";
            case BYTE_ARRAY16 -> "BYTE_ARRAY16 " + Arrays.toString(bytes);
            case BYTE_BLOB -> "BYTE_BLOB of " + blob.length + " bytes";
            default -> type + " 0x" + Long.toHexString(integer);
        };
    }
}
