package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.stack.wfp.AleAuthConnectField;
import org.nbl4j.stack.wfp.AleAuthRecvAcceptField;
import org.nbl4j.stack.wfp.AleFlowEstablishedField;
import org.nbl4j.stack.wfp.DatagramDataField;
import org.nbl4j.stack.wfp.InboundTransportField;
import org.nbl4j.stack.wfp.IncomingMetadata;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.LayerField;
import org.nbl4j.stack.wfp.OutboundTransportField;

/**
 * Pins the host role's literal {@code FWPS_LAYER_*} and {@code FWPS_FIELD_*} constants of {@link Fwpsk} to the engine's
 * {@link Layer} and field enumerations: a constant whose value drifts from the enum, or an enum field without its
 * constant, fails here. That they are compile-time constants is shown by the {@code switch} below, which does not
 * compile otherwise.
 */
class HostLayerConstantsTest {
    private static final Map<String, List<? extends LayerField>> FIELDS = Map.of(
            "INBOUND_TRANSPORT", List.of(InboundTransportField.values()),
            "OUTBOUND_TRANSPORT", List.of(OutboundTransportField.values()),
            "DATAGRAM_DATA", List.of(DatagramDataField.values()),
            "ALE_AUTH_RECV_ACCEPT", List.of(AleAuthRecvAcceptField.values()),
            "ALE_AUTH_CONNECT", List.of(AleAuthConnectField.values()),
            "ALE_FLOW_ESTABLISHED", List.of(AleFlowEstablishedField.values()));

    private static int constant(String name) throws ReflectiveOperationException {
        Field field = Fwpsk.class.getField(name);
        assertTrue(Modifier.isFinal(field.getModifiers()) && Modifier.isStatic(field.getModifiers()), name);
        return field.getInt(null);
    }

    @Test
    @DisplayName("every host layer has its FWPS_LAYER_ constant with the engine's run-time id")
    void layerIds() throws ReflectiveOperationException {
        for (Layer layer : Layer.values()) {
            if (layer.isHostLayer()) {
                assertEquals(layer.id(), constant("FWPS_LAYER_" + layer.name()), layer.name());
            }
        }
    }

    @Test
    @DisplayName("every field of every host layer has its FWPS_FIELD_ constant, V4 and V6, and _MAX")
    void fieldIndexes() throws ReflectiveOperationException {
        for (var kind : FIELDS.entrySet()) {
            for (String family : List.of("V4", "V6")) {
                String prefix = "FWPS_FIELD_" + kind.getKey() + "_" + family + "_";
                for (LayerField field : kind.getValue()) {
                    assertEquals(field.index(), constant(prefix + field.name()), prefix + field.name());
                }
                assertEquals(kind.getValue().size(), constant(prefix + "MAX"), prefix + "MAX");
            }
        }
    }

    @Test
    @DisplayName("the metadata bits and directions equal the engine's")
    void metadata() {
        assertEquals(IncomingMetadata.FWPS_METADATA_FIELD_FLOW_HANDLE, Fwpsk.FWPS_METADATA_FIELD_FLOW_HANDLE);
        assertEquals(IncomingMetadata.FWPS_METADATA_FIELD_PROCESS_PATH, Fwpsk.FWPS_METADATA_FIELD_PROCESS_PATH);
        assertEquals(IncomingMetadata.FWPS_METADATA_FIELD_PROCESS_ID, Fwpsk.FWPS_METADATA_FIELD_PROCESS_ID);
        assertEquals(
                IncomingMetadata.FWPS_METADATA_FIELD_TRANSPORT_ENDPOINT_HANDLE,
                Fwpsk.FWPS_METADATA_FIELD_TRANSPORT_ENDPOINT_HANDLE);
        assertEquals(IncomingMetadata.FWPS_METADATA_FIELD_REMOTE_SCOPE_ID, Fwpsk.FWPS_METADATA_FIELD_REMOTE_SCOPE_ID);
        assertEquals(IncomingMetadata.FWPS_METADATA_FIELD_PACKET_DIRECTION, Fwpsk.FWPS_METADATA_FIELD_PACKET_DIRECTION);
        assertEquals(
                IncomingMetadata.FWPS_METADATA_FIELD_ALE_CLASSIFY_REQUIRED,
                Fwpsk.FWPS_METADATA_FIELD_ALE_CLASSIFY_REQUIRED);
        assertEquals(
                IncomingMetadata.FWPS_METADATA_FIELD_ICMP_ID_AND_SEQUENCE,
                Fwpsk.FWPS_METADATA_FIELD_ICMP_ID_AND_SEQUENCE);
        assertEquals(IncomingMetadata.FWP_DIRECTION_INBOUND, Fwpsk.FWP_DIRECTION_INBOUND);
        assertEquals(IncomingMetadata.FWP_DIRECTION_OUTBOUND, Fwpsk.FWP_DIRECTION_OUTBOUND);
    }

    @Test
    @DisplayName("a driver's switch on layerId ports as a Java switch")
    void portsAsSwitch() {
        int[] seen = new int[3];
        for (int layerId : new int[] {48, 52, 24}) {
            switch (layerId) {
                case Fwpsk.FWPS_LAYER_ALE_AUTH_CONNECT_V4 -> seen[0]++;
                case Fwpsk.FWPS_LAYER_ALE_FLOW_ESTABLISHED_V4 -> seen[1]++;
                case Fwpsk.FWPS_LAYER_DATAGRAM_DATA_V4 -> seen[2]++;
                default -> throw new AssertionError(layerId);
            }
        }
        assertEquals(List.of(1, 1, 1), List.of(seen[0], seen[1], seen[2]));
    }
}
