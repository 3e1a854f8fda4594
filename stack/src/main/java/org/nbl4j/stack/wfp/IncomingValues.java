package org.nbl4j.stack.wfp;

/**
 * The classifiable fields of one packet at one layer: {@code FWPS_INCOMING_VALUES0} (§4.3), the DDI's view that a
 * callout's classify function and the filter conditions see. {@code values[i]} is the field with index {@code i} of
 * the layer's {@code FWPS_FIELD_*} enumeration. The engine refills one instance per thread and layer for every packet
 * from the IP path's {@link org.nbl4j.stack.ip.PacketFacts} (the one object in which the path keeps what it knows
 * about the packet), without reading the packet again; {@link IncomingMetadata} is the metadata filled beside it.
 */
public final class IncomingValues {
    private final Layer layer;
    private final FwpValue[] values;

    IncomingValues(Layer layer) {
        this.layer = layer;
        this.values = new FwpValue[layer.fields().size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = new FwpValue();
        }
    }

    /** {@code layerId}: the run-time layer id. */
    public int layerId() {
        return layer.id();
    }

    /** The layer. */
    public Layer layer() {
        return layer;
    }

    /** {@code valueCount}: the layer's {@code _MAX}. */
    public int valueCount() {
        return values.length;
    }

    /** {@code incomingValue[index].value}. */
    public FwpValue get(int index) {
        return values[index];
    }

    /**
     * The value of a field by name.
     *
     * @throws IllegalArgumentException if the field is not one of this layer's (§5.4: fail loudly)
     */
    public FwpValue get(LayerField field) {
        if (!layer.has(field)) {
            throw new IllegalArgumentException(field + " is not a field of " + layer);
        }
        return values[field.index()];
    }

    FwpValue at(LayerField field) {
        return values[field.index()];
    }
}
