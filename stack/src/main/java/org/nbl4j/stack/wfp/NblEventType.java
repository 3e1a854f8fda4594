package org.nbl4j.stack.wfp;

/** {@code FWPS_NET_BUFFER_LIST_EVENT_TYPE0}, in declaration order (§2.7): what happened to a tagged NBL. */
public enum NblEventType {
    ENTERED_NETIO,
    CLONED_BY_NETIO,
    CLONED_VIA_WFP_API,
    DUPLICATED_BY_NETIO,
    EXIT_NETIO,
    CONTEXT_REMOVED,
    NDIS_SEND_COMPLETE,
    NDIS_RECV_COMPLETE,
    NDIS_ETHERNET_SEND_COMPLETE,
    NDIS_ETHERNET_RECV_COMPLETE,
    NDIS_NATIVE_SEND_COMPLETE,
    NDIS_NATIVE_RECV_COMPLETE,
    NDIS_VSWITCH_INGRESS_COMPLETE,
    NDIS_VSWITCH_EGRESS_COMPLETE,
    CLONED_BY_NDIS,
    REASSEMBLED_FRAGMENT,
    REASSEMBLY_COMPLETE;

    /** The enumerator's value. */
    public int value() {
        return ordinal();
    }
}
