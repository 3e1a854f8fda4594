package org.nbl4j.stack.wfp;

/** The types a value at the IP layers can have: the used subset of {@code FWP_DATA_TYPE} with its numbers (§4.3). */
public enum FwpDataType {
    /** {@code FWP_EMPTY}: the layer has the field but nbl4j has no value for it (e.g. interface LUIDs). */
    EMPTY(0),
    UINT8(1),
    UINT16(2),
    UINT32(3),
    UINT64(4),
    /** {@code FWP_BYTE_ARRAY16_TYPE}: an IPv6 address in network byte order. */
    BYTE_ARRAY16(11),
    /** {@code FWP_BYTE_BLOB_TYPE}: bytes of any length; {@code ALE_APP_ID}, a NUL-terminated UTF-16LE path. */
    BYTE_BLOB(12);

    private final int value;

    FwpDataType(int value) {
        this.value = value;
    }

    /** The {@code FWP_DATA_TYPE} value. */
    public int value() {
        return value;
    }

    /** Whether the type is an unsigned integer (compared as unsigned by the match types). */
    public boolean isInteger() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }
}
