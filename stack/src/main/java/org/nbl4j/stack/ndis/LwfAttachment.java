package org.nbl4j.stack.ndis;

/**
 * One lightweight filter to stack on an adapter: the driver ({@code NdisFRegisterFilterDriver}) and the name its modules
 * are known by ({@code FriendlyName} of {@code NDIS_FILTER_DRIVER_CHARACTERISTICS}). NDIS attaches one module per
 * adapter the filter is bound to, named after the filter and the adapter.
 *
 * @param largeReceivePackets whether the filter takes receive packets longer than the MTU (RSC's coalesced ones): every
 *     NDIS 6.30 filter must, and NDIS disables RSC on an interface while a filter of NDIS 6.20 or lower is in its
 *     stack (WDK, "Programming Considerations for RSC Drivers"); {@link Adapter#receiveSegmentCoalescing}
 */
public record LwfAttachment(String name, LwfDriver driver, boolean largeReceivePackets) {
    /** A filter of NDIS 6.30 or later, which takes coalesced receive packets. */
    public LwfAttachment(String name, LwfDriver driver) {
        this(name, driver, true);
    }
}
