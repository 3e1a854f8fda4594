package org.nbl4j.stack.ddk;

import org.nbl4j.stack.kernel.DriverParameters;

/** {@code WDFKEY}: an open registry key; nbl4j has one, the driver's {@code Parameters} key ({@link DriverParameters}). */
public final class WDFKEY {
    final DriverParameters parameters;

    WDFKEY(DriverParameters parameters) {
        this.parameters = parameters;
    }
}
