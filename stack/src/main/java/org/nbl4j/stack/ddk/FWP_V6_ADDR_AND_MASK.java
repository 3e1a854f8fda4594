package org.nbl4j.stack.ddk;

/** {@code FWP_V6_ADDR_AND_MASK}: an IPv6 prefix. */
public final class FWP_V6_ADDR_AND_MASK {
    /** {@code addr}: 16 bytes in network order. */
    public byte[] addr = new byte[16];
    /** {@code prefixLength}: 0 to 128. */
    public int prefixLength;
}
