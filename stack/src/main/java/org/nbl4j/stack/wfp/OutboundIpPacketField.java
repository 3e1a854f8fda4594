package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.ip.AddressFamily;

/** {@code FWPS_FIELD_OUTBOUND_IPPACKET_V4_*} / {@code _V6_*}, in enumeration order (§5.4):
 * the local address type comes before the remote address here, unlike the inbound enumeration. */
public enum OutboundIpPacketField implements LayerField {
    IP_LOCAL_ADDRESS(null),
    IP_LOCAL_ADDRESS_TYPE(FwpDataType.UINT8),
    IP_REMOTE_ADDRESS(null),
    IP_LOCAL_INTERFACE(FwpDataType.UINT64),
    INTERFACE_INDEX(FwpDataType.UINT32),
    SUB_INTERFACE_INDEX(FwpDataType.UINT32),
    FLAGS(FwpDataType.UINT32),
    INTERFACE_TYPE(FwpDataType.UINT32),
    TUNNEL_TYPE(FwpDataType.UINT32),
    COMPARTMENT_ID(FwpDataType.UINT32);

    /** {@code FWPS_FIELD_OUTBOUND_IPPACKET_V4_MAX}. */
    public static final int MAX = values().length;

    private final @Nullable FwpDataType type;

    /** @param type the type, or {@code null} for an address */
    OutboundIpPacketField(@Nullable FwpDataType type) {
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
