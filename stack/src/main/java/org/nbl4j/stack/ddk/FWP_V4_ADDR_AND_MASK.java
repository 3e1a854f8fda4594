package org.nbl4j.stack.ddk;

/** {@code FWP_V4_ADDR_AND_MASK}: an IPv4 subnet, address and mask in host byte order. */
public final class FWP_V4_ADDR_AND_MASK {
    /** {@code addr}. */
    public int addr;
    /** {@code mask}. */
    public int mask;
}
