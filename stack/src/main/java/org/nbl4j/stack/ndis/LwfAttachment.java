package org.nbl4j.stack.ndis;

/**
 * One lightweight filter to stack on an adapter: the driver ({@code NdisFRegisterFilterDriver}) and the name its modules
 * are known by ({@code FriendlyName} of {@code NDIS_FILTER_DRIVER_CHARACTERISTICS}). NDIS attaches one module per
 * adapter the filter is bound to, named after the filter and the adapter.
 */
public record LwfAttachment(String name, LwfDriver driver) {}
