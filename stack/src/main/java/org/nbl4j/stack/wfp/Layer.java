package org.nbl4j.stack.wfp;

import java.util.List;
import java.util.UUID;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.ip.HookPoint;

/**
 * The filtering layers of the IP path: {@code FWPS_BUILTIN_LAYERS} run-time ids 0 to 11 with their management GUIDs
 * (§5.1). Each layer has a {@code _DISCARD} twin that shows what the path or a filter dropped there (§5.3).
 */
public enum Layer {
    INBOUND_IPPACKET_V4(0, "c86fd1bf-21cd-497e-a0bb-17425c885c58"),
    INBOUND_IPPACKET_V4_DISCARD(1, "b5a230d0-a8c0-44f2-916e-991b53ded1f7"),
    INBOUND_IPPACKET_V6(2, "f52032cb-991c-46e7-971d-2601459a91ca"),
    INBOUND_IPPACKET_V6_DISCARD(3, "bb24c279-93b4-47a2-83ad-ae1698b50885"),
    OUTBOUND_IPPACKET_V4(4, "1e5c9fae-8a84-4135-a331-950b54229ecd"),
    OUTBOUND_IPPACKET_V4_DISCARD(5, "08e4bcb5-b647-48f3-953c-e5ddbd03937e"),
    OUTBOUND_IPPACKET_V6(6, "a3b3ab6b-3564-488c-9117-f34e82142763"),
    OUTBOUND_IPPACKET_V6_DISCARD(7, "9513d7c4-a934-49dc-91a7-6ccb80cc02e3"),
    IPFORWARD_V4(8, "a82acc24-4ee1-4ee1-b465-fd1d25cb10a4"),
    IPFORWARD_V4_DISCARD(9, "9e9ea773-2fae-4210-8f17-34129ef369eb"),
    IPFORWARD_V6(10, "7b964818-19c7-493a-b71f-832c3684d28c"),
    IPFORWARD_V6_DISCARD(11, "31524a5d-1dfe-472f-bb93-518ee945d8a2");

    private static final Layer[] BY_ID = values();
    private static final HookPoint[] POINTS = HookPoint.values();

    private final int id;
    private final UUID key;

    Layer(int id, String key) {
        this.id = id;
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

    /** The hook point of the IP path this layer sits at. */
    public HookPoint hookPoint() {
        return POINTS[id / 4];
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

    /** The fields of the layer's incoming values, in index order. */
    public List<? extends LayerField> fields() {
        return switch (hookPoint()) {
            case INBOUND_IPPACKET -> List.of(InboundIpPacketField.values());
            case OUTBOUND_IPPACKET -> List.of(OutboundIpPacketField.values());
            case IPFORWARD -> List.of(IpForwardField.values());
        };
    }

    /** Whether {@code field} belongs to this layer's enumeration. */
    public boolean has(LayerField field) {
        return switch (hookPoint()) {
            case INBOUND_IPPACKET -> field instanceof InboundIpPacketField;
            case OUTBOUND_IPPACKET -> field instanceof OutboundIpPacketField;
            case IPFORWARD -> field instanceof IpForwardField;
        };
    }

    /** The layer a packet of {@code family} is shown at, at {@code point} or its discard twin. */
    public static Layer of(HookPoint point, AddressFamily family, boolean discard) {
        int id = point.ordinal() * 4 + (family == AddressFamily.INET ? 0 : 2) + (discard ? 1 : 0);
        return BY_ID[id];
    }

    /** The layer with a run-time id. */
    public static Layer ofId(int id) {
        if (id < 0 || id >= BY_ID.length) {
            throw new IllegalArgumentException("no IP-path layer has run-time id " + id);
        }
        return BY_ID[id];
    }
}
