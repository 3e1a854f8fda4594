package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.ip.AddressFamily;

/**
 * {@code FWPS_FIELD_DATAGRAM_DATA_V4_*} / {@code _V6_*} in enumeration order (WDK: fwpsk.h, as MicrosoftDocs/windows-driver-docs-ddi states the enumeration (wdk-ddi-src/content/fwpsk)). One layer sees both directions:
 * {@link #DIRECTION} says which ({@code FWP_DIRECTION_OUTBOUND} 0, {@code FWP_DIRECTION_INBOUND} 1).
 */
public enum DatagramDataField implements LayerField {
    IP_PROTOCOL(FwpDataType.UINT8),
    IP_LOCAL_ADDRESS(null),
    IP_REMOTE_ADDRESS(null),
    IP_LOCAL_ADDRESS_TYPE(FwpDataType.UINT8),
    IP_LOCAL_PORT(FwpDataType.UINT16),
    IP_REMOTE_PORT(FwpDataType.UINT16),
    IP_LOCAL_INTERFACE(FwpDataType.UINT64),
    INTERFACE_INDEX(FwpDataType.UINT32),
    SUB_INTERFACE_INDEX(FwpDataType.UINT32),
    DIRECTION(FwpDataType.UINT32),
    FLAGS(FwpDataType.UINT32),
    INTERFACE_TYPE(FwpDataType.UINT32),
    TUNNEL_TYPE(FwpDataType.UINT32),
    COMPARTMENT_ID(FwpDataType.UINT32);

    /** The enumeration's {@code _MAX}: the number of fields, {@code valueCount} at the layer. */
    public static final int MAX = values().length;

    private final @Nullable FwpDataType type;

    /** @param type the type, or {@code null} for an address */
    DatagramDataField(@Nullable FwpDataType type) {
        this.type = type;
    }

    @Override
    public int index() {
        return ordinal();
    }

    @Override
    public FwpDataType type(AddressFamily family) {
        return type != null ? type : LayerField.addressType(family);
    }
}
