package org.nbl4j.cli;

import org.nbl4j.stack.wfp.FilterEngine;

/**
 * A callout driver's {@code DriverEntry}, for {@code nbl4j run --callout <class>}: registers its callouts, sublayers
 * and filters on the router's WFP filter engine ({@code FwpsCalloutRegister}, {@code FwpmSubLayerAdd},
 * {@code FwpmFilterAdd}). The class needs a public no-argument constructor.
 *
 * <p>Pending: the command loads and checks the class but refuses to run until the router exposes its filter engine
 * ({@code docs/cli.md}, "Callouts").
 */
public interface CalloutPlugin {
    /** Registers everything the callout driver needs on {@code engine}. */
    void register(FilterEngine engine);
}
