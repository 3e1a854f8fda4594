package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;

/**
 * The opaque {@code classifyContext} a classify function receives, valid only while it runs: what
 * {@link FilterEngine#acquireClassifyHandle} needs (§4.10). One per thread, reused.
 */
public final class ClassifyContext {
    private @Nullable Layer layer;
    private boolean active;

    /** The layer being classified, while active. */
    public @Nullable Layer layer() {
        return active ? layer : null;
    }

    void enter(Layer current) {
        layer = current;
        active = true;
    }

    void leave() {
        active = false;
    }
}
