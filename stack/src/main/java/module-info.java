/**
 * The Windows network stack over nbl4j's buffers: NDIS adapters and lightweight filters ({@code ndis}), the IP layer
 * ({@code ip}), the kernel services drivers use ({@code kernel}), the filter engine with callouts and injection ({@code wfp}), a two-interface router ({@code router}) and
 * the DDI-shaped facade a ported driver calls ({@code ddk}). It knows nothing of files or devices.
 */
module org.nbl4j.stack {
    requires static org.jspecify;
    requires transitive org.nbl4j.core;

    exports org.nbl4j.stack.ddk;
    exports org.nbl4j.stack.device;
    exports org.nbl4j.stack.ip;
    exports org.nbl4j.stack.kernel;
    exports org.nbl4j.stack.ndis;
    exports org.nbl4j.stack.router;
    exports org.nbl4j.stack.wfp;
}
