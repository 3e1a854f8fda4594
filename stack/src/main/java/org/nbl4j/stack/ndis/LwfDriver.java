package org.nbl4j.stack.ndis;

/**
 * A lightweight filter driver as registered with {@code NdisFRegisterFilterDriver}: NDIS calls {@link #attach} once per
 * adapter the filter is stacked on, and the driver creates the module's own state there.
 */
@FunctionalInterface
public interface LwfDriver {

    /**
     * {@code FilterAttach} (PASSIVE_LEVEL): creates the module context for one adapter, the way the ndislwf sample
     * allocates its {@code MS_FILTER}. The module starts Paused; NDIS restarts it before any data flows.
     *
     * @param handle the module's {@code NdisFilterHandle}: keep it, every NDIS call of the module goes through it
     * @return the module, whose handlers NDIS calls from now on
     * @throws FilterAttachFailed to refuse the adapter: the module is not attached
     */
    LwfHandlers attach(LwfHandle handle);
}
