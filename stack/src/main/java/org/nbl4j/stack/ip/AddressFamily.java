package org.nbl4j.stack.ip;

/** An IP version as the DDIs name it: {@code ADDRESS_FAMILY} with its Windows values. */
public enum AddressFamily {
    /** {@code AF_INET}. */
    INET(2, 4),
    /** {@code AF_INET6}. */
    INET6(23, 6);

    private final int value;
    private final int ipVersion;

    AddressFamily(int value, int ipVersion) {
        this.value = value;
        this.ipVersion = ipVersion;
    }

    /** The Windows {@code AF_*} value. */
    public int value() {
        return value;
    }

    /** The version nibble of the IP header: 4 or 6. */
    public int ipVersion() {
        return ipVersion;
    }
}
