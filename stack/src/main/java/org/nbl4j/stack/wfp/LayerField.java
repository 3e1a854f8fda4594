package org.nbl4j.stack.wfp;

import org.nbl4j.stack.ip.AddressFamily;

/**
 * A field of a layer's incoming values: one of the {@code FWPS_FIELD_*} enumerations (§5.4). The V4 and V6 layers of
 * a kind share one enumeration, as their C enumerations have the same order; only the address type differs.
 */
public sealed interface LayerField
        permits InboundIpPacketField,
                OutboundIpPacketField,
                IpForwardField,
                InboundTransportField,
                OutboundTransportField,
                DatagramDataField,
                AleAuthConnectField,
                AleAuthRecvAcceptField,
                AleFlowEstablishedField {
    /** The index in {@code incomingValue[]}: the enumerator's value. */
    int index();

    /** The field's type at a layer of the given family. */
    FwpDataType type(AddressFamily family);

    /** The enumerator's name without the layer prefix, e.g. {@code IP_REMOTE_ADDRESS}. */
    String name();

    /** The type of an address field: UINT32 in host byte order for IPv4, BYTE_ARRAY16 for IPv6 (§4.3). */
    static FwpDataType addressType(AddressFamily family) {
        return family == AddressFamily.INET ? FwpDataType.UINT32 : FwpDataType.BYTE_ARRAY16;
    }
}
