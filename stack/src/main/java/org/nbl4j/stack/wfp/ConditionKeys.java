package org.nbl4j.stack.wfp;

import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The {@code FWPM_CONDITION_*} GUIDs of the fields of the IP layers and the host layers' address, port, protocol and
 * direction fields: how a management client ({@code FwpmFilterAdd0})
 * names the field a condition tests, where a callout indexes it by {@code FWPS_FIELD_*} (§5.4). A field's condition is
 * the one with its name: {@link IpForwardField#IP_SOURCE_ADDRESS} is {@code FWPM_CONDITION_IP_SOURCE_ADDRESS}. Values
 * as {@code fwpmu.h} defines them.
 */
public final class ConditionKeys {
    private static final Map<String, UUID> BY_NAME = Map.ofEntries(
            entry("IP_LOCAL_ADDRESS", "d9ee00de-c1ef-4617-bfe3-ffd8f5a08957"),
            entry("IP_REMOTE_ADDRESS", "b235ae9a-1d64-49b8-a44c-5ff3d9095045"),
            entry("IP_SOURCE_ADDRESS", "ae96897e-2e94-4bc9-b313-b27ee80e574d"),
            entry("IP_DESTINATION_ADDRESS", "2d79133b-b390-45c6-8699-acaceaafed33"),
            entry("IP_LOCAL_ADDRESS_TYPE", "6ec7f6c4-376b-45d7-9e9c-d337cedcd237"),
            entry("IP_DESTINATION_ADDRESS_TYPE", "1ec1b7c9-4eea-4f5e-b9ef-76beaaaf17ee"),
            entry("IP_LOCAL_INTERFACE", "4cd62a49-59c3-4969-b7f3-bda5d32890a4"),
            entry("IP_FORWARD_INTERFACE", "1076b8a5-6323-4c5e-9810-e8d3fc9e6136"),
            entry("INTERFACE_INDEX", "667fd755-d695-434a-8af5-d3835a1259bc"),
            entry("SUB_INTERFACE_INDEX", "0cd42473-d621-4be3-ae8c-72a348d283e1"),
            entry("SOURCE_INTERFACE_INDEX", "2311334d-c92d-45bf-9496-edf447820e2d"),
            entry("SOURCE_SUB_INTERFACE_INDEX", "055edd9d-acd2-4361-8dab-f9525d97662f"),
            entry("DESTINATION_INTERFACE_INDEX", "35cf6522-4139-45ee-a0d5-67b80949d879"),
            entry("DESTINATION_SUB_INTERFACE_INDEX", "2b7d4399-d4c7-4738-a2f5-e994b43da388"),
            entry("FLAGS", "632ce23b-5167-435c-86d7-e903684aa80c"),
            entry("INTERFACE_TYPE", "daf8cd14-e09e-4c93-a5ae-c5c13b73ffca"),
            entry("TUNNEL_TYPE", "77a40437-8779-4868-a261-f5a902f1c0cd"),
            entry("COMPARTMENT_ID", "35a791ab-04ac-4ff2-a6bb-da6cfac71806"),
            entry("IP_PHYSICAL_ARRIVAL_INTERFACE", "da50d5c8-fa0d-4c89-b032-6e62136d1e96"),
            entry("ARRIVAL_INTERFACE_PROFILE_ID", "cdfe6aab-c083-4142-8679-c08f95329c61"),
            entry("IP_PHYSICAL_NEXTHOP_INTERFACE", "f09bd5ce-5150-48be-b098-c25152fb1f92"),
            entry("NEXTHOP_INTERFACE_PROFILE_ID", "d7ff9a56-cdaa-472b-84db-d23963c1d1bf"),
            // The host layers' transport fields (ICMP_TYPE and ICMP_CODE are the two port conditions in fwpmu.h).
            entry("IP_PROTOCOL", "3971ef2b-623e-4f9a-8cb1-6e79b806b9a7"),
            entry("IP_LOCAL_PORT", "0c1ba1af-5765-453f-af22-a8f791ac775b"),
            entry("IP_REMOTE_PORT", "c35a604d-d22b-4e1a-91b4-68f674ee674b"),
            entry("DIRECTION", "8784c146-ca97-44d6-9fd1-19fb1840cbf7"));

    private ConditionKeys() {}

    private static Map.Entry<String, UUID> entry(String name, String key) {
        return Map.entry(name, UUID.fromString(key));
    }

    /**
     * {@code FWPM_CONDITION_<name>}.
     *
     * @throws IllegalArgumentException for a name with no condition here
     */
    public static UUID of(String name) {
        UUID key = BY_NAME.get(name);
        if (key == null) {
            throw new IllegalArgumentException("no FWPM_CONDITION_" + name);
        }
        return key;
    }

    /** The condition that names {@code field}. */
    public static UUID of(LayerField field) {
        return of(field.name());
    }

    /** The field of {@code layer} that {@code conditionKey} names, or {@code null} when the layer has none. */
    public static @Nullable LayerField field(Layer layer, UUID conditionKey) {
        for (LayerField field : layer.fields()) {
            if (conditionKey.equals(BY_NAME.get(field.name()))) {
                return field;
            }
        }
        return null;
    }
}
