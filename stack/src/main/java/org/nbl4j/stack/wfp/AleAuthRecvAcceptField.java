package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.ip.AddressFamily;

/**
 * {@code FWPS_FIELD_ALE_AUTH_RECV_ACCEPT_V4_*} / {@code _V6_*} in enumeration order (WDK: fwpsk.h, as MicrosoftDocs/windows-driver-docs-ddi states the enumeration (wdk-ddi-src/content/fwpsk), commit 0a0a9e7). nbl4j cannot tell the application's path, user, package or remote identities (the ALE_* identity fields), nor
 * LUIDs, interface types, profiles, reauthorization reasons, peer names or the bitmap fields: those are
 * {@link FwpDataType#EMPTY}, and a filter condition on them is refused with STATUS_FWP_TYPE_MISMATCH. The fields after
 * COMPARTMENT_ID have changed between SDK releases; nbl4j follows the cited version.
 */
public enum AleAuthRecvAcceptField implements LayerField {
    ALE_APP_ID(FwpDataType.EMPTY),
    ALE_USER_ID(FwpDataType.EMPTY),
    IP_LOCAL_ADDRESS(null),
    IP_LOCAL_ADDRESS_TYPE(FwpDataType.UINT8),
    IP_LOCAL_PORT(FwpDataType.UINT16),
    IP_PROTOCOL(FwpDataType.UINT8),
    IP_REMOTE_ADDRESS(null),
    IP_REMOTE_PORT(FwpDataType.UINT16),
    ALE_REMOTE_USER_ID(FwpDataType.EMPTY),
    ALE_REMOTE_MACHINE_ID(FwpDataType.EMPTY),
    IP_LOCAL_INTERFACE(FwpDataType.UINT64),
    FLAGS(FwpDataType.UINT32),
    SIO_FIREWALL_SYSTEM_PORT(FwpDataType.UINT32),
    NAP_CONTEXT(FwpDataType.UINT32),
    INTERFACE_TYPE(FwpDataType.UINT32),
    TUNNEL_TYPE(FwpDataType.UINT32),
    INTERFACE_INDEX(FwpDataType.UINT32),
    SUB_INTERFACE_INDEX(FwpDataType.UINT32),
    IP_ARRIVAL_INTERFACE(FwpDataType.UINT64),
    ARRIVAL_INTERFACE_TYPE(FwpDataType.UINT32),
    ARRIVAL_TUNNEL_TYPE(FwpDataType.UINT32),
    ARRIVAL_INTERFACE_INDEX(FwpDataType.UINT32),
    NEXTHOP_SUB_INTERFACE_INDEX(FwpDataType.UINT32),
    IP_NEXTHOP_INTERFACE(FwpDataType.UINT64),
    NEXTHOP_INTERFACE_TYPE(FwpDataType.UINT32),
    NEXTHOP_TUNNEL_TYPE(FwpDataType.UINT32),
    NEXTHOP_INTERFACE_INDEX(FwpDataType.UINT32),
    ORIGINAL_PROFILE_ID(FwpDataType.UINT32),
    CURRENT_PROFILE_ID(FwpDataType.UINT32),
    REAUTHORIZE_REASON(FwpDataType.UINT32),
    ORIGINAL_ICMP_TYPE(FwpDataType.UINT16),
    INTERFACE_QUARANTINE_EPOCH(FwpDataType.UINT64),
    ALE_PACKAGE_ID(FwpDataType.EMPTY),
    ALE_SECURITY_ATTRIBUTE_FQBN_VALUE(FwpDataType.EMPTY),
    COMPARTMENT_ID(FwpDataType.UINT32),
    BITMAP_IP_LOCAL_ADDRESS(FwpDataType.EMPTY),
    BITMAP_IP_LOCAL_PORT(FwpDataType.EMPTY),
    BITMAP_IP_REMOTE_ADDRESS(FwpDataType.EMPTY),
    BITMAP_IP_REMOTE_PORT(FwpDataType.EMPTY);

    /** The enumeration's {@code _MAX}: the number of fields, {@code valueCount} at the layer. */
    public static final int MAX = values().length;

    private final @Nullable FwpDataType type;

    /** @param type the type, or {@code null} for an address */
    AleAuthRecvAcceptField(@Nullable FwpDataType type) {
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
