package org.nbl4j.stack.ip;

/** What the filter engine decided about a packet shown at a {@link HookPoint} (wfp-callouts-and-injection §8.3). */
public enum HookVerdict {
    /** PERMIT, or no terminating decision: the packet continues on its path. */
    CONTINUE,
    /** BLOCK without ABSORB: the path drops the packet and shows it at the discard twin. */
    BLOCK,
    /**
     * BLOCK with ABSORB: the packet disappears silently; a callout took what it referenced or cloned. The path
     * stops using the NBL and releases it once every reference and child is gone.
     */
    ABSORB
}
