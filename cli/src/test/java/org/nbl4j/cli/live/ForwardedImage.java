package org.nbl4j.cli.live;

import java.util.HexFormat;
import org.nbl4j.io.capture.CapturedPacket;

/**
 * What a packet looks like where the tests compare the two sides of the router: the captured bytes with the fields a
 * router rewrites put into a known state. A packet sent by one host, passed through {@link #afterForwarding} (the hop
 * count one lower, the DSCP the forward-inject callout sets), must equal {@link #asReceived} of the packet the other
 * host received; the IPv4 header checksum, which the router recomputes, is checked on the received packet and then
 * left out.
 */
public final class ForwardedImage {
    private ForwardedImage() {}

    /** The image the far host should receive when the router forwards {@code sent} and sets its DSCP to {@code dscp}. */
    public static String afterForwarding(CapturedPacket sent, int dscp) {
        byte[] bytes = sent.data();
        if (isIpv4(bytes)) {
            bytes[1] = (byte) (dscp << 2 | (bytes[1] & 0x03)); // DSCP, ECN kept
            bytes[8]--; // TTL
        } else {
            // Traffic class: the low nibble of byte 0 and the high nibble of byte 1.
            int trafficClass = dscp << 2 | ((bytes[1] >> 4) & 0x03);
            bytes[0] = (byte) (0x60 | trafficClass >> 4);
            bytes[1] = (byte) ((trafficClass & 0xF) << 4 | (bytes[1] & 0xF));
            bytes[7]--; // hop limit
        }
        return image(bytes, sent.originalLength());
    }

    /** The image of a packet as received; an IPv4 header whose checksum is wrong gives an image marked so. */
    public static String asReceived(CapturedPacket received) {
        byte[] bytes = received.data();
        if (isIpv4(bytes) && !headerChecksumValid(bytes)) {
            return "bad IPv4 header checksum " + HexFormat.of().formatHex(bytes);
        }
        return image(bytes, received.originalLength());
    }

    private static String image(byte[] bytes, int originalLength) {
        if (isIpv4(bytes)) {
            bytes[10] = 0;
            bytes[11] = 0;
        }
        return originalLength + ":" + HexFormat.of().formatHex(bytes);
    }

    private static boolean isIpv4(byte[] bytes) {
        return bytes.length >= 20 && (bytes[0] & 0xF0) == 0x40;
    }

    private static boolean headerChecksumValid(byte[] bytes) {
        int headerLength = (bytes[0] & 0xF) * 4;
        if (bytes.length < headerLength) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < headerLength; i += 2) {
            sum += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return sum == 0xFFFF;
    }
}
