package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * Called once when the stack is done with an injected NBL: {@code FWPS_INJECT_COMPLETE0} (§3.10). The NBL's Status
 * holds the outcome; the NBL belongs to the injector again, which frees it with the matching WFP free function.
 */
@FunctionalInterface
public interface InjectionCompletion {
    /**
     * @param context the {@code completionContext} given to the inject function
     * @param dispatchLevel true when called at DISPATCH_LEVEL
     */
    void complete(@Nullable Object context, NetBufferList netBufferList, boolean dispatchLevel);
}
