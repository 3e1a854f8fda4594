package org.nbl4j.stack.ndis;

/**
 * The media types ({@code NDIS_MEDIUM}, ntddndis.h) an nbl4j adapter can report, with their C values.
 *
 * <p>nbl4j's adapters carry raw IP packets with no link header. They report {@link #WIRELESS_WAN}, the medium Windows'
 * own raw-IP miniports (mobile broadband) declare: the MB INF requirements give {@code *MediaType = 9;
 * NdisMediumWirelessWan} with the upper range {@code flpp4, flpp6} (IP packets, no frame). A filter written for
 * Ethernet and WAN binds to it, where it would refuse {@link #IP}. docs/ndis-adapter.md ("The medium") cites the
 * pages.
 */
public enum NdisMedium {
    /** {@code NdisMedium802_3} (0): Ethernet frames. */
    MEDIUM_802_3(0),
    /** {@code NdisMediumWirelessWan} (9): raw IPv4/IPv6 packets of a mobile-broadband miniport; nbl4j's choice. */
    WIRELESS_WAN(9),
    /** {@code NdisMediumIP} (19): raw IP as the tunnel miniports of newer Windows declare it. */
    IP(19);

    private final int value;

    NdisMedium(int value) {
        this.value = value;
    }

    /** The C value of the {@code NDIS_MEDIUM} enumerator. */
    public int value() {
        return value;
    }
}
