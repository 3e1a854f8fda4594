package org.nbl4j.stack.ip;

import org.nbl4j.core.buffer.NetBufferList;

/**
 * Called once when the IP path is done with an NBL someone injected into it: the counterpart of the
 * {@code completionFn} of the {@code Fwps*Inject*Async0} functions. The NBL's Status tells whether it was sent.
 */
@FunctionalInterface
public interface PacketCompletion {
    /**
     * @param nbl the injected NBL, owned by the caller again
     * @param dispatchLevel true when the call is made at DISPATCH_LEVEL
     */
    void complete(NetBufferList nbl, boolean dispatchLevel);
}
