package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.ip.AddressFamily;

/**
 * {@code FWPS_FIELD_OUTBOUND_TRANSPORT_V4_*} / {@code _V6_*} in enumeration order (§5.4; WDK: fwpsk.h, as MicrosoftDocs/windows-driver-docs-ddi states the enumeration (wdk-ddi-src/content/fwpsk)): the local address
 * type comes before the remote address here, and the destination address type follows the sub-interface. For ICMP the
 * port fields hold the ICMP type and code.
 */
public enum OutboundTransportField implements LayerField {
    IP_PROTOCOL(FwpDataType.UINT8),
    IP_LOCAL_ADDRESS(null),
    IP_LOCAL_ADDRESS_TYPE(FwpDataType.UINT8),
    IP_REMOTE_ADDRESS(null),
    IP_LOCAL_PORT(FwpDataType.UINT16),
    IP_REMOTE_PORT(FwpDataType.UINT16),
    IP_LOCAL_INTERFACE(FwpDataType.UINT64),
    INTERFACE_INDEX(FwpDataType.UINT32),
    SUB_INTERFACE_INDEX(FwpDataType.UINT32),
    IP_DESTINATION_ADDRESS_TYPE(FwpDataType.UINT8),
    FLAGS(FwpDataType.UINT32),
    INTERFACE_TYPE(FwpDataType.UINT32),
    TUNNEL_TYPE(FwpDataType.UINT32),
    PROFILE_ID(FwpDataType.UINT32),
    IPSEC_SECURITY_REALM_ID(FwpDataType.UINT32),
    COMPARTMENT_ID(FwpDataType.UINT32);

    /** The enumeration's {@code _MAX}: the number of fields, {@code valueCount} at the layer. */
    public static final int MAX = values().length;

    private final @Nullable FwpDataType type;

    /** @param type the type, or {@code null} for an address */
    OutboundTransportField(@Nullable FwpDataType type) {
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
