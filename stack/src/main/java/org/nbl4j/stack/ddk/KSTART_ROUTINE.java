package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/** {@code KSTART_ROUTINE}: a system thread's start routine, run at PASSIVE_LEVEL. */
@FunctionalInterface
public interface KSTART_ROUTINE {
    /** {@code (StartContext)}. */
    void call(@Nullable Object StartContext);
}
