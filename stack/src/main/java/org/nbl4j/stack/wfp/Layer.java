package org.nbl4j.stack.wfp;

import java.util.List;
import java.util.UUID;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.HookPoint;

/**
 * The filtering layers nbl4j shows packets at: {@code FWPS_BUILTIN_LAYERS} run-time ids with their management GUIDs
 * ({@code FWPM_LAYER_*}, §5.1). The IP path's layers (ids 0 to 11) serve both roles; the transport (12 to 19),
 * datagram-data (24 to 27) and ALE layers (44 to 55) are the host role's (docs/wfp.md, "Host mode"). Each layer has a
 * {@code _DISCARD} twin, its id with bit 0 set, that shows what the path or a filter dropped there (§5.3); a V6 layer's
 * id is its V4 layer's with bit 1 set. The ids are the WDK's (fwpsk.h's FWPS_BUILTIN_LAYERS, the same in every SDK for
 * these layers); the constant {@code ordinal()} is nbl4j's dense index of the layer, used for per-layer arrays.
 */
public enum Layer {
    INBOUND_IPPACKET_V4(0, HookPoint.INBOUND_IPPACKET, "c86fd1bf-21cd-497e-a0bb-17425c885c58"),
    INBOUND_IPPACKET_V4_DISCARD(1, HookPoint.INBOUND_IPPACKET, "b5a230d0-a8c0-44f2-916e-991b53ded1f7"),
    INBOUND_IPPACKET_V6(2, HookPoint.INBOUND_IPPACKET, "f52032cb-991c-46e7-971d-2601459a91ca"),
    INBOUND_IPPACKET_V6_DISCARD(3, HookPoint.INBOUND_IPPACKET, "bb24c279-93b4-47a2-83ad-ae1698b50885"),
    OUTBOUND_IPPACKET_V4(4, HookPoint.OUTBOUND_IPPACKET, "1e5c9fae-8a84-4135-a331-950b54229ecd"),
    OUTBOUND_IPPACKET_V4_DISCARD(5, HookPoint.OUTBOUND_IPPACKET, "08e4bcb5-b647-48f3-953c-e5ddbd03937e"),
    OUTBOUND_IPPACKET_V6(6, HookPoint.OUTBOUND_IPPACKET, "a3b3ab6b-3564-488c-9117-f34e82142763"),
    OUTBOUND_IPPACKET_V6_DISCARD(7, HookPoint.OUTBOUND_IPPACKET, "9513d7c4-a934-49dc-91a7-6ccb80cc02e3"),
    IPFORWARD_V4(8, HookPoint.IPFORWARD, "a82acc24-4ee1-4ee1-b465-fd1d25cb10a4"),
    IPFORWARD_V4_DISCARD(9, HookPoint.IPFORWARD, "9e9ea773-2fae-4210-8f17-34129ef369eb"),
    IPFORWARD_V6(10, HookPoint.IPFORWARD, "7b964818-19c7-493a-b71f-832c3684d28c"),
    IPFORWARD_V6_DISCARD(11, HookPoint.IPFORWARD, "31524a5d-1dfe-472f-bb93-518ee945d8a2"),
    INBOUND_TRANSPORT_V4(12, HookPoint.INBOUND_TRANSPORT, "5926dfc8-e3cf-4426-a283-dc393f5d0f9d"),
    INBOUND_TRANSPORT_V4_DISCARD(13, HookPoint.INBOUND_TRANSPORT, "ac4a9833-f69d-4648-b261-6dc84835ef39"),
    INBOUND_TRANSPORT_V6(14, HookPoint.INBOUND_TRANSPORT, "634a869f-fc23-4b90-b0c1-bf620a36ae6f"),
    INBOUND_TRANSPORT_V6_DISCARD(15, HookPoint.INBOUND_TRANSPORT, "2a6ff955-3b2b-49d2-9848-ad9d72dcaab7"),
    OUTBOUND_TRANSPORT_V4(16, HookPoint.OUTBOUND_TRANSPORT, "09e61aea-d214-46e2-9b21-b26b0b2f28c8"),
    OUTBOUND_TRANSPORT_V4_DISCARD(17, HookPoint.OUTBOUND_TRANSPORT, "c5f10551-bdb0-43d7-a313-50e211f4d68a"),
    OUTBOUND_TRANSPORT_V6(18, HookPoint.OUTBOUND_TRANSPORT, "e1735bde-013f-4655-b351-a49e15762df0"),
    OUTBOUND_TRANSPORT_V6_DISCARD(19, HookPoint.OUTBOUND_TRANSPORT, "f433df69-ccbd-482e-b9b2-57165658c3b3"),
    DATAGRAM_DATA_V4(24, HookPoint.DATAGRAM_DATA, "3d08bf4e-45f6-4930-a922-417098e20027"),
    DATAGRAM_DATA_V4_DISCARD(25, HookPoint.DATAGRAM_DATA, "18e330c6-7248-4e52-aaab-472ed67704fd"),
    DATAGRAM_DATA_V6(26, HookPoint.DATAGRAM_DATA, "fa45fe2f-3cba-4427-87fc-57b9a4b10d00"),
    DATAGRAM_DATA_V6_DISCARD(27, HookPoint.DATAGRAM_DATA, "09d1dfe1-9b86-4a42-be9d-8c315b92a5d0"),
    ALE_AUTH_RECV_ACCEPT_V4(44, HookPoint.ALE_AUTH_RECV_ACCEPT, "e1cd9fe7-f4b5-4273-96c0-592e487b8650"),
    ALE_AUTH_RECV_ACCEPT_V4_DISCARD(45, HookPoint.ALE_AUTH_RECV_ACCEPT, "9eeaa99b-bd22-4227-919f-0073c63357b1"),
    ALE_AUTH_RECV_ACCEPT_V6(46, HookPoint.ALE_AUTH_RECV_ACCEPT, "a3b42c97-9f04-4672-b87e-cee9c483257f"),
    ALE_AUTH_RECV_ACCEPT_V6_DISCARD(47, HookPoint.ALE_AUTH_RECV_ACCEPT, "89455b97-dbe1-453f-a224-13da895af396"),
    ALE_AUTH_CONNECT_V4(48, HookPoint.ALE_AUTH_CONNECT, "c38d57d1-05a7-4c33-904f-7fbceee60e82"),
    ALE_AUTH_CONNECT_V4_DISCARD(49, HookPoint.ALE_AUTH_CONNECT, "d632a801-f5ba-4ad6-96e3-607017d9836a"),
    ALE_AUTH_CONNECT_V6(50, HookPoint.ALE_AUTH_CONNECT, "4a72393b-319f-44bc-84c3-ba54dcb3b6b4"),
    ALE_AUTH_CONNECT_V6_DISCARD(51, HookPoint.ALE_AUTH_CONNECT, "c97bc3b8-c9a3-4e33-8695-8e17aad4de09"),
    ALE_FLOW_ESTABLISHED_V4(52, HookPoint.ALE_FLOW_ESTABLISHED, "af80470a-5596-4c13-9992-539e6fe57967"),
    ALE_FLOW_ESTABLISHED_V4_DISCARD(53, HookPoint.ALE_FLOW_ESTABLISHED, "146ae4a9-a1d2-4d43-a31a-4c42682b8e4f"),
    ALE_FLOW_ESTABLISHED_V6(54, HookPoint.ALE_FLOW_ESTABLISHED, "7021d2b3-dfa4-406e-afeb-6afaf7e70efd"),
    ALE_FLOW_ESTABLISHED_V6_DISCARD(55, HookPoint.ALE_FLOW_ESTABLISHED, "46928636-bbca-4b76-941d-0fa7f5d7d372");

    private static final Layer[] ALL = values();
    /** By run-time id; null where nbl4j has no layer with that id (the stream, ICMP-error and other ALE layers). */
    private static final Layer[] BY_ID = new Layer[ALL[ALL.length - 1].id + 1];
    /** By hook point ordinal, then {@code (v6 ? 2 : 0) | (discard ? 1 : 0)}. */
    private static final Layer[][] BY_POINT = new Layer[HookPoint.values().length][4];

    static {
        for (Layer layer : ALL) {
            BY_ID[layer.id] = layer;
            BY_POINT[layer.point.ordinal()][layer.id & 3] = layer;
        }
    }

    private final int id;
    private final HookPoint point;
    private final UUID key;

    Layer(int id, HookPoint point, String key) {
        this.id = id;
        this.point = point;
        this.key = UUID.fromString(key);
    }

    /** The run-time id ({@code FWPS_LAYER_*}), what a callout sees in {@code inFixedValues->layerId}. */
    public int id() {
        return id;
    }

    /** The management-layer GUID ({@code FWPM_LAYER_*}). */
    public UUID key() {
        return key;
    }

    /** The hook point of the path this layer sits at. */
    public HookPoint hookPoint() {
        return point;
    }

    /** The IP version of the packets the layer sees. */
    public AddressFamily family() {
        return (id & 2) == 0 ? AddressFamily.INET : AddressFamily.INET6;
    }

    /** Whether this is a {@code _DISCARD} layer. */
    public boolean isDiscard() {
        return (id & 1) != 0;
    }

    /** The {@code _DISCARD} twin of a layer (a discard layer is its own twin). */
    public Layer discardTwin() {
        return BY_ID[id | 1];
    }

    /** Whether the layer is one of the host role's (transport, datagram data, ALE). */
    public boolean isHostLayer() {
        return id >= INBOUND_TRANSPORT_V4.id;
    }

    /** Whether the layer is an ALE layer, where flows are authorized. */
    public boolean isAle() {
        return id >= ALE_AUTH_RECV_ACCEPT_V4.id;
    }

    /** The fields of the layer's incoming values, in index order. */
    public List<? extends LayerField> fields() {
        return switch (point) {
            case INBOUND_IPPACKET -> List.of(InboundIpPacketField.values());
            case OUTBOUND_IPPACKET -> List.of(OutboundIpPacketField.values());
            case IPFORWARD -> List.of(IpForwardField.values());
            case INBOUND_TRANSPORT -> List.of(InboundTransportField.values());
            case OUTBOUND_TRANSPORT -> List.of(OutboundTransportField.values());
            case DATAGRAM_DATA -> List.of(DatagramDataField.values());
            case ALE_AUTH_RECV_ACCEPT -> List.of(AleAuthRecvAcceptField.values());
            case ALE_AUTH_CONNECT -> List.of(AleAuthConnectField.values());
            case ALE_FLOW_ESTABLISHED -> List.of(AleFlowEstablishedField.values());
        };
    }

    /** Whether {@code field} belongs to this layer's enumeration. */
    public boolean has(LayerField field) {
        return switch (point) {
            case INBOUND_IPPACKET -> field instanceof InboundIpPacketField;
            case OUTBOUND_IPPACKET -> field instanceof OutboundIpPacketField;
            case IPFORWARD -> field instanceof IpForwardField;
            case INBOUND_TRANSPORT -> field instanceof InboundTransportField;
            case OUTBOUND_TRANSPORT -> field instanceof OutboundTransportField;
            case DATAGRAM_DATA -> field instanceof DatagramDataField;
            case ALE_AUTH_RECV_ACCEPT -> field instanceof AleAuthRecvAcceptField;
            case ALE_AUTH_CONNECT -> field instanceof AleAuthConnectField;
            case ALE_FLOW_ESTABLISHED -> field instanceof AleFlowEstablishedField;
        };
    }

    /** The layer a packet of {@code family} is shown at, at {@code point} or its discard twin. */
    public static Layer of(HookPoint point, AddressFamily family, boolean discard) {
        return BY_POINT[point.ordinal()][(family == AddressFamily.INET ? 0 : 2) | (discard ? 1 : 0)];
    }

    /**
     * The layer with a run-time id.
     *
     * @throws IllegalArgumentException if nbl4j has no layer with that id
     */
    public static Layer ofId(int id) {
        Layer layer = id < 0 || id >= BY_ID.length ? null : BY_ID[id];
        if (layer == null) {
            throw new IllegalArgumentException("nbl4j has no layer with run-time id " + id);
        }
        return layer;
    }
}
