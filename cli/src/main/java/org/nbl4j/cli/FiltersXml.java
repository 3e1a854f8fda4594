package org.nbl4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.wfp.ConditionValue;
import org.nbl4j.stack.wfp.DisplayData;
import org.nbl4j.stack.wfp.Filter;
import org.nbl4j.stack.wfp.FilterCondition;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FwpDataType;
import org.nbl4j.stack.wfp.FwpmObject;
import org.nbl4j.stack.wfp.LayerField;
import org.nbl4j.stack.wfp.Sublayer;

/**
 * The filters of an engine in the XML {@code netsh wfp show filters} writes to {@code filters.xml}: a {@code wfpdiag}
 * document with one {@code item} per filter, its key, display data, flags, provider, layer and sublayer, conditions,
 * action, context, id and effective weight. Built-in GUIDs are shown by name ({@code FWPM_LAYER_IPFORWARD_V4},
 * {@code FWPM_CONDITION_FLAGS}, {@code FWPM_SUBLAYER_UNIVERSAL}); other GUIDs braced, as netsh shows them. The weight is
 * the one the engine assigned, so it is shown as {@code FWP_UINT64} in both {@code weight} and
 * {@code effectiveWeight}.
 */
final class FiltersXml {
    private FiltersXml() {}

    /** One filter and what its session said about it ({@code null} for a filter added through the Java API). */
    record Entry(Filter filter, @Nullable FwpmObject object) {}

    /** The filters of an engine at one moment, in enumeration order (layer by layer, each in evaluation order). */
    record Snapshot(List<Entry> entries) {
        static Snapshot of(FilterEngine engine) {
            List<Entry> entries = new ArrayList<>();
            for (Filter filter : engine.filters()) {
                entries.add(new Entry(filter, engine.bfe().object(FwpmObject.Kind.FILTER, filter.filterKey())));
            }
            return new Snapshot(List.copyOf(entries));
        }
    }

    static String render(Snapshot snapshot) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<wfpdiag>\n");
        xml.append("<filters numItems=\"").append(snapshot.entries().size()).append("\">\n");
        for (Entry entry : snapshot.entries()) {
            item(xml, entry);
        }
        return xml.append("</filters>\n</wfpdiag>\n").toString();
    }

    private static void item(StringBuilder xml, Entry entry) {
        Filter filter = entry.filter();
        FwpmObject object = entry.object();
        DisplayData display = object == null ? DisplayData.NONE : object.displayData();
        xml.append("\t<item>\n");
        element(xml, 2, "filterKey", braced(filter.filterKey().toString()));
        xml.append("\t\t<displayData>\n");
        element(xml, 3, "name", display.name());
        element(xml, 3, "description", display.description());
        xml.append("\t\t</displayData>\n");
        flags(xml, filter);
        element(
                xml,
                2,
                "providerKey",
                object == null || object.providerKey() == null
                        ? null
                        : braced(object.providerKey().toString()));
        element(xml, 2, "layerKey", "FWPM_LAYER_" + filter.layer().name());
        element(
                xml,
                2,
                "subLayerKey",
                filter.sublayer().key().equals(Sublayer.UNIVERSAL.key())
                        ? "FWPM_SUBLAYER_UNIVERSAL"
                        : braced(filter.sublayer().key().toString()));
        weight(xml, "weight", filter.weight());
        conditions(xml, filter);
        xml.append("\t\t<action>\n");
        element(xml, 3, "type", "FWP_ACTION_" + filter.action().name());
        element(
                xml,
                3,
                "calloutKey",
                filter.calloutKey() == null ? null : braced(filter.calloutKey().toString()));
        xml.append("\t\t</action>\n");
        element(xml, 2, "rawContext", Long.toUnsignedString(filter.spec().rawContext()));
        element(xml, 2, "filterId", Long.toUnsignedString(filter.filterId()));
        weight(xml, "effectiveWeight", filter.weight());
        xml.append("\t</item>\n");
    }

    private static void flags(StringBuilder xml, Filter filter) {
        List<String> names = new ArrayList<>();
        if ((filter.flags() & Filter.FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT) != 0) {
            names.add("FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT");
        }
        if ((filter.flags() & Filter.FWPS_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED) != 0) {
            names.add("FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED");
        }
        list(xml, 2, "flags", names);
    }

    private static void weight(StringBuilder xml, String name, long weight) {
        xml.append("\t\t<").append(name).append(">\n");
        element(xml, 3, "type", "FWP_UINT64");
        element(xml, 3, "uint64", Long.toUnsignedString(weight));
        xml.append("\t\t</").append(name).append(">\n");
    }

    private static void conditions(StringBuilder xml, Filter filter) {
        List<FilterCondition> conditions = filter.conditions();
        if (conditions.isEmpty()) {
            xml.append("\t\t<filterCondition/>\n");
            return;
        }
        xml.append("\t\t<filterCondition numItems=\"").append(conditions.size()).append("\">\n");
        for (FilterCondition condition : conditions) {
            LayerField field = condition.field();
            FwpDataType type = field.type(filter.layer().family());
            xml.append("\t\t\t<item>\n");
            element(xml, 4, "fieldKey", "FWPM_CONDITION_" + field.name());
            element(xml, 4, "matchType", "FWP_MATCH_" + condition.matchType().name());
            xml.append("\t\t\t\t<conditionValue>\n");
            switch (condition.value()) {
                case ConditionValue.Unsigned(long value) -> {
                    element(xml, 5, "type", typeName(type));
                    element(xml, 5, type.name().toLowerCase(Locale.ROOT), Long.toUnsignedString(value));
                }
                case ConditionValue.Range(long low, long high) -> {
                    element(xml, 5, "type", "FWP_RANGE_TYPE");
                    xml.append("\t\t\t\t\t<rangeValue>\n");
                    element(xml, 6, "valueLow", Long.toUnsignedString(low));
                    element(xml, 6, "valueHigh", Long.toUnsignedString(high));
                    xml.append("\t\t\t\t\t</rangeValue>\n");
                }
                case ConditionValue.V4AddressAndMask(int address, int mask) -> {
                    element(xml, 5, "type", "FWP_V4_ADDR_MASK");
                    xml.append("\t\t\t\t\t<v4AddrMask>\n");
                    element(xml, 6, "addr", dotted(address));
                    element(xml, 6, "mask", dotted(mask));
                    xml.append("\t\t\t\t\t</v4AddrMask>\n");
                }
                case ConditionValue.Bytes16 bytes -> {
                    element(xml, 5, "type", "FWP_BYTE_ARRAY16_TYPE");
                    element(xml, 5, "byteArray16", hex(bytes.bytes()));
                }
                case ConditionValue.V6AddressAndPrefix prefix -> {
                    element(xml, 5, "type", "FWP_V6_ADDR_MASK");
                    xml.append("\t\t\t\t\t<v6AddrMask>\n");
                    element(xml, 6, "addr", hex(prefix.address()));
                    element(xml, 6, "prefixLength", Integer.toString(prefix.prefixLength()));
                    xml.append("\t\t\t\t\t</v6AddrMask>\n");
                }
            }
            xml.append("\t\t\t\t</conditionValue>\n");
            xml.append("\t\t\t</item>\n");
        }
        xml.append("\t\t</filterCondition>\n");
    }

    private static String typeName(FwpDataType type) {
        return type == FwpDataType.BYTE_ARRAY16 ? "FWP_BYTE_ARRAY16_TYPE" : "FWP_" + type.name();
    }

    private static void list(StringBuilder xml, int depth, String name, List<String> items) {
        if (items.isEmpty()) {
            xml.append("\t".repeat(depth)).append('<').append(name).append("/>\n");
            return;
        }
        xml.append("\t".repeat(depth))
                .append('<')
                .append(name)
                .append(" numItems=\"")
                .append(items.size())
                .append("\">\n");
        for (String item : items) {
            element(xml, depth + 1, "item", item);
        }
        xml.append("\t".repeat(depth)).append("</").append(name).append(">\n");
    }

    /** {@code <name>value</name>}, or {@code <name/>} for no value. */
    private static void element(StringBuilder xml, int depth, String name, @Nullable String value) {
        xml.append("\t".repeat(depth)).append('<').append(name);
        if (value == null) {
            xml.append("/>\n");
            return;
        }
        xml.append('>').append(escape(value)).append("</").append(name).append(">\n");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    private static String braced(String guid) {
        return "{" + guid + "}";
    }

    private static String dotted(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "."
                + (address & 0xFF);
    }

    private static String hex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            text.append(String.format("%02x", b & 0xFF));
        }
        return text.toString();
    }
}
