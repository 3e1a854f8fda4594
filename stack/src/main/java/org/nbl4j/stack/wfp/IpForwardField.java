package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.ip.AddressFamily;

/** {@code FWPS_FIELD_IPFORWARD_V4_*} / {@code _V6_*}, in enumeration order (§5.4). */
public enum IpForwardField implements LayerField {
    IP_SOURCE_ADDRESS(null),
    IP_DESTINATION_ADDRESS(null),
    IP_DESTINATION_ADDRESS_TYPE(FwpDataType.UINT8),
    /** The arrival interface's LUID. */
    IP_LOCAL_INTERFACE(FwpDataType.UINT64),
    /** The next-hop interface's LUID. */
    IP_FORWARD_INTERFACE(FwpDataType.UINT64),
    SOURCE_INTERFACE_INDEX(FwpDataType.UINT32),
    SOURCE_SUB_INTERFACE_INDEX(FwpDataType.UINT32),
    /** The egress interface: what {@code FwpsInjectForwardAsync0} takes as {@code interfaceIndex}. */
    DESTINATION_INTERFACE_INDEX(FwpDataType.UINT32),
    DESTINATION_SUB_INTERFACE_INDEX(FwpDataType.UINT32),
    FLAGS(FwpDataType.UINT32),
    IP_PHYSICAL_ARRIVAL_INTERFACE(FwpDataType.UINT64),
    ARRIVAL_INTERFACE_PROFILE_ID(FwpDataType.UINT32),
    IP_PHYSICAL_NEXTHOP_INTERFACE(FwpDataType.UINT64),
    NEXTHOP_INTERFACE_PROFILE_ID(FwpDataType.UINT32),
    COMPARTMENT_ID(FwpDataType.UINT32);

    /** {@code FWPS_FIELD_IPFORWARD_V4_MAX}. */
    public static final int MAX = values().length;

    private final @Nullable FwpDataType type;

    /** @param type the type, or {@code null} for an address */
    IpForwardField(@Nullable FwpDataType type) {
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
