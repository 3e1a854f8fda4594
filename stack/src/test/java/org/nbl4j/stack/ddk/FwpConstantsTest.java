package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.Fwpmk.*;
import static org.nbl4j.stack.ddk.Fwpsk.*;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.ConditionKeys;
import org.nbl4j.stack.wfp.FwpDataType;
import org.nbl4j.stack.wfp.InjectionState;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.LayerField;
import org.nbl4j.stack.wfp.MatchType;

/**
 * The WFP constants of the facade are literal {@code int}s that a ported {@code switch} can use, and each has the
 * value of the engine's enum it stands for: a constant retyped with a wrong value, or an enum reordered, fails here.
 */
class FwpConstantsTest {

    private static List<Field> intConstants(Class<?> type, String prefix) {
        return List.of(type.getFields()).stream()
                .filter(field -> field.getName().startsWith(prefix) && field.getType() == int.class)
                .toList();
    }

    @Test
    @DisplayName("every FWPS_LAYER_* is its Layer's run-time id, and every layer has one")
    void layersPinned() throws ReflectiveOperationException {
        Set<Layer> named = new HashSet<>();
        for (Field field : intConstants(Fwpsk.class, "FWPS_LAYER_")) {
            Layer layer = Layer.valueOf(field.getName().substring("FWPS_LAYER_".length()));
            assertEquals(layer.id(), field.getInt(null), field.getName());
            named.add(layer);
        }
        assertEquals(Set.of(Layer.values()), named);
    }

    @Test
    @DisplayName("every FWPS_FIELD_<layer>_V4/V6_<field> is its field's index, _MAX the count, for every field")
    void fieldsPinned() throws ReflectiveOperationException {
        int checked = 0;
        for (Layer layer : Layer.values()) {
            if (layer.isDiscard()) {
                continue; // the discard layers use their twins' enumerations
            }
            String prefix = "FWPS_FIELD_" + layer.name() + "_";
            List<? extends LayerField> fields = layer.fields();
            for (LayerField field : fields) {
                assertEquals(
                        field.index(),
                        Fwpsk.class.getField(prefix + field.name()).getInt(null),
                        prefix + field);
                checked++;
            }
            assertEquals(fields.size(), Fwpsk.class.getField(prefix + "MAX").getInt(null), prefix + "MAX");
            assertEquals(fields.size() + 1, intConstants(Fwpsk.class, prefix).size(), "no other " + prefix);
        }
        assertTrue(checked >= 60);
    }

    @Test
    @DisplayName("every FWP_ACTION_* is its ActionType's value, and every action type has one")
    void actionsPinned() throws ReflectiveOperationException {
        Set<ActionType> named = new HashSet<>();
        for (Field field : intConstants(Fwpsk.class, "FWP_ACTION_")) {
            if (field.getName().startsWith("FWP_ACTION_FLAG_")) {
                continue;
            }
            ActionType action = ActionType.valueOf(field.getName().substring("FWP_ACTION_".length()));
            assertEquals(action.value(), field.getInt(null), field.getName());
            named.add(action);
        }
        assertEquals(Set.of(ActionType.values()), named);
        assertEquals(ActionType.FWP_ACTION_FLAG_CALLOUT, FWP_ACTION_FLAG_CALLOUT);
    }

    @Test
    @DisplayName("injection states, families, match types and data types have the engine's values")
    void othersPinned() throws ReflectiveOperationException {
        assertEquals(InjectionState.NOT_INJECTED.value(), FWPS_PACKET_NOT_INJECTED);
        assertEquals(InjectionState.INJECTED_BY_SELF.value(), FWPS_PACKET_INJECTED_BY_SELF);
        assertEquals(InjectionState.INJECTED_BY_OTHER.value(), FWPS_PACKET_INJECTED_BY_OTHER);
        assertEquals(InjectionState.PREVIOUSLY_INJECTED_BY_SELF.value(), FWPS_PACKET_PREVIOUSLY_INJECTED_BY_SELF);
        assertEquals(AddressFamily.INET.value(), AF_INET);
        assertEquals(AddressFamily.INET6.value(), AF_INET6);
        for (MatchType type : MatchType.values()) {
            assertEquals(
                    type.value(),
                    Fwpmk.class.getField("FWP_MATCH_" + type.name()).getInt(null),
                    type.name());
        }
        assertEquals(
                MatchType.values().length,
                intConstants(Fwpmk.class, "FWP_MATCH_").size());
        for (FwpDataType type : FwpDataType.values()) {
            String name = type == FwpDataType.EMPTY
                    ? "FWP_EMPTY"
                    : type == FwpDataType.BYTE_ARRAY16 || type == FwpDataType.BYTE_BLOB
                            ? "FWP_" + type.name() + "_TYPE"
                            : "FWP_" + type.name();
            assertEquals(type.value(), Fwpmk.class.getField(name).getInt(null), name);
        }
    }

    @Test
    @DisplayName("every FWPM_LAYER_* and FWPM_CONDITION_* GUID is the engine's, and every field of the IP-path layers"
            + " can be named by a condition")
    void guidsPinned() throws ReflectiveOperationException {
        for (Field field : Fwpmk.class.getFields()) {
            String name = field.getName();
            if (name.startsWith("FWPM_LAYER_")) {
                assertEquals(
                        Layer.valueOf(name.substring("FWPM_LAYER_".length())).key(), field.get(null), name);
            } else if (name.startsWith("FWPM_CONDITION_")) {
                assertEquals(ConditionKeys.of(name.substring("FWPM_CONDITION_".length())), field.get(null), name);
            }
        }
        for (Layer layer : Layer.values()) {
            if (layer.id() <= Fwpsk.FWPS_LAYER_IPFORWARD_V6_DISCARD) { // the router role's layers
                assertEquals(
                        layer.key(),
                        Fwpmk.class.getField("FWPM_LAYER_" + layer.name()).get(null));
                for (LayerField field : layer.fields()) {
                    assertEquals(ConditionKeys.field(layer, ConditionKeys.of(field)), field, layer + " " + field);
                    assertEquals(
                            ConditionKeys.of(field),
                            Fwpmk.class
                                    .getField("FWPM_CONDITION_" + field.name())
                                    .get(null),
                            field.name());
                }
            }
        }
    }

    /** A classifyFn's dispatch as C writes it: it compiles only if the cases are compile-time constants. */
    private static String dispatch(int layerId, int actionType, int injectionState) {
        String layer = switch (layerId) {
            case FWPS_LAYER_INBOUND_IPPACKET_V4, FWPS_LAYER_INBOUND_IPPACKET_V6 -> "inbound";
            case FWPS_LAYER_OUTBOUND_IPPACKET_V4, FWPS_LAYER_OUTBOUND_IPPACKET_V6 -> "outbound";
            case FWPS_LAYER_IPFORWARD_V4, FWPS_LAYER_IPFORWARD_V6 -> "forward";
            default -> "discard";
        };
        String action = switch (actionType) {
            case FWP_ACTION_BLOCK -> "block";
            case FWP_ACTION_PERMIT -> "permit";
            case FWP_ACTION_CONTINUE -> "continue";
            default -> "other";
        };
        String state = switch (injectionState) {
            case FWPS_PACKET_INJECTED_BY_SELF, FWPS_PACKET_PREVIOUSLY_INJECTED_BY_SELF -> "own";
            default -> "foreign";
        };
        int field = FWPS_FIELD_IPFORWARD_V4_FLAGS;
        String index = switch (field) {
            case FWPS_FIELD_IPFORWARD_V4_FLAGS -> "flags";
            default -> "other";
        };
        return layer + " " + action + " " + state + " " + index;
    }

    @Test
    @DisplayName("layer ids, actions and injection states switch as C switches on them")
    void switchable() {
        assertEquals("forward block own flags", dispatch(8, 0x1001, 1));
        assertEquals("inbound permit foreign flags", dispatch(2, 0x1002, 2));
    }

    @Test
    @DisplayName("Fwpmk shares no name with Fwpsk, NdisH or Wdm, so the four static on-demand imports compile together")
    void oneHomePerName() {
        Set<String> fwpm = publicStaticNames(Fwpmk.class);
        Set<String> others = new HashSet<>(publicStaticNames(Fwpsk.class));
        others.addAll(publicStaticNames(NdisH.class));
        others.addAll(publicStaticNames(Wdm.class));
        Set<String> both = new TreeSet<>(fwpm);
        both.retainAll(others);
        assertEquals(Set.of(), both);
    }

    private static Set<String> publicStaticNames(Class<?> type) {
        Set<String> names = new HashSet<>();
        for (Field field : type.getFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                names.add(field.getName());
            }
        }
        for (var method : type.getMethods()) {
            if (Modifier.isStatic(method.getModifiers())) {
                names.add(method.getName());
            }
        }
        return names;
    }
}
