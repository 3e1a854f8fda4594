package org.nbl4j.stack.wfp;

/**
 * A callout driver as a host loads it: {@code DriverEntry} registers its callouts, sublayers and filters on the filter
 * engine ({@code FwpsCalloutRegister}, {@code FwpmSubLayerAdd}, {@code FwpmFilterAdd}) and creates its injection
 * handles; {@code DriverUnload} takes them down. Hosts that load drivers by class name (such as
 * {@code nbl4j run --callout}) need a public no-argument constructor.
 */
public interface CalloutDriver {

    /** {@code DriverEntry}: registers with {@code engine}. */
    void load(FilterEngine engine);

    /** {@code DriverUnload}: unregisters and destroys its handles, waiting for their injections to complete. */
    void unload();
}
