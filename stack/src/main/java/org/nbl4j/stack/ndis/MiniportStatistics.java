package org.nbl4j.stack.ndis;

/**
 * A snapshot of a miniport's counters: the fields of {@code NDIS_STATISTICS_INFO} an IP-medium device has.
 *
 * @param receivedPackets packets indicated up ({@code ifHCInUcastPkts} and the other received-packet counters)
 * @param receivedBytes bytes of those packets
 * @param receiveDiscards packets the device dropped before indicating them, for example for want of NBLs
 * @param receiveErrors packets that arrived damaged or could not be read
 * @param sentPackets packets sent successfully
 * @param sentBytes bytes of those packets
 * @param sendDiscards packets the device failed to send
 */
public record MiniportStatistics(
        long receivedPackets,
        long receivedBytes,
        long receiveDiscards,
        long receiveErrors,
        long sentPackets,
        long sentBytes,
        long sendDiscards) {}
