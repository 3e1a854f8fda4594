package org.nbl4j.stack.ndis;

/**
 * What task offloads a miniport can do: the subset of {@code NDIS_OFFLOAD} (checksum, LSOv2, RSC, USO) an IP-medium
 * device reports at initialization ({@code NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES}).
 *
 * @param transmitChecksum the device completes TCP and UDP checksums (IPv4 and IPv6) an NBL asks for in its
 *     {@code Transmit} checksum bits; the IPv4 header checksum is always the miniport's to complete
 * @param receiveChecksum the device sets the {@code Receive} checksum bits
 * @param largeSendV4 LSOv2 for IPv4 TCP
 * @param largeSendV6 LSOv2 for IPv6 TCP
 * @param maximumLargeSendSize the largest packet an LSO send may carry ({@code MaxOffLoadSize})
 * @param minimumSegmentCount {@code MinSegmentCount}: an LSO send must cut into at least this many segments
 * @param receiveCoalescingV4 RSC for IPv4 ({@code NDIS_TCP_RECV_SEG_COALESC_OFFLOAD.IPv4.Enabled})
 * @param receiveCoalescingV6 RSC for IPv6
 * @param udpSegmentationV4 USO for IPv4
 * @param udpSegmentationV6 USO for IPv6
 */
public record OffloadCapabilities(
        boolean transmitChecksum,
        boolean receiveChecksum,
        boolean largeSendV4,
        boolean largeSendV6,
        int maximumLargeSendSize,
        int minimumSegmentCount,
        boolean receiveCoalescingV4,
        boolean receiveCoalescingV6,
        boolean udpSegmentationV4,
        boolean udpSegmentationV6) {

    /** A device without offloads: every checksum is in the packet and every packet fits the MTU. */
    public static final OffloadCapabilities NONE =
            new OffloadCapabilities(false, false, false, false, 0, 0, false, false, false, false);

    /** Whether an LSO send of the given family may be handed to the device. */
    public boolean largeSend(boolean ipv6) {
        return ipv6 ? largeSendV6 : largeSendV4;
    }
}
