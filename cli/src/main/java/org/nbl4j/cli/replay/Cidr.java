package org.nbl4j.cli.replay;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address with a prefix length, as written in CIDR notation ({@code 192.0.2.1/24}, {@code 2001:db8:1::1/64}): an
 * interface address (the address and its on-link prefix) or a route's destination prefix.
 */
public record Cidr(InetAddress address, int prefixLength) {

    public Cidr {
        int bits = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is not within 0.." + bits);
        }
    }

    /**
     * Parses {@code address/length}. Only numeric addresses are taken (no name lookup).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not in CIDR notation (address/prefix-length)");
        }
        InetAddress address = parseAddress(text.substring(0, slash));
        String length = text.substring(slash + 1);
        int prefixLength;
        try {
            prefixLength = Integer.parseInt(length);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + length + "' in '" + text + "' is not a prefix length", e);
        }
        try {
            return new Cidr(address, prefixLength);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage(), e);
        }
    }

    /**
     * Parses a numeric IPv4 or IPv6 address; a host name is refused rather than looked up.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static InetAddress parseAddress(String text) {
        boolean v4 = text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
        }
        if (v4) {
            for (String part : text.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
                }
            }
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address", e);
        }
    }

    /** The address as people write it: IPv6 with its longest run of zero groups as {@code ::} (RFC 5952). */
    public static String format(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) {
            return address.getHostAddress();
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xFF) << 8) | (bytes[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return format(address) + "/" + prefixLength;
    }
}
