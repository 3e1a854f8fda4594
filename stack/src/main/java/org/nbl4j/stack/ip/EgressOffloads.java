package org.nbl4j.stack.ip;

import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ndis.OffloadCapabilities;
import org.nbl4j.stack.ndis.OffloadInfo;

/**
 * What a packet's offload info slots must say when it leaves through an egress, for the two paths that send packets
 * that arrived on another interface (forwarding, forward injection of a clone): the slots then hold what the arrival's
 * NIC said (receive checksum bits, RSC), and the egress's miniport reads them as send requests (transmit checksum
 * bits, LSO). The info value is one union in NDIS; tcpip.sys writes the send view before it sends.
 */
final class EgressOffloads {
    private EgressOffloads() {}

    /**
     * Turns a coalesced TCP packet into an LSOv2 send of {@code mss} where the egress has LSO for its family and
     * takes its size: LSO's checksum field holds the pseudo-header sum without the TCP length (nbllso.h; the NIC adds
     * each segment's), and the transport checksum is the NIC's to compute, whatever the field held.
     *
     * @return whether it did; if not, nothing changed
     */
    static boolean toLargeSend(NetBufferList nbl, NetBuffer nb, PathScratch.Frame frame, IpInterface egress, int mss) {
        PacketFacts facts = frame.facts;
        boolean v6 = facts.family == AddressFamily.INET6;
        OffloadCapabilities offloads = egress.offloadCapabilities();
        if (facts.protocol != IcmpMessages.IPPROTO_TCP
                || !offloads.largeSend(v6)
                || nb.dataLength() > offloads.maximumLargeSendSize()) {
            return false;
        }
        long pseudo = InternetChecksum.pseudoHeader(
                facts.family,
                facts.sourceHigh,
                facts.sourceLow,
                facts.destinationHigh,
                facts.destinationLow,
                0,
                IcmpMessages.IPPROTO_TCP);
        writeChecksumField(nb, frame, facts.headerLength + 16, ~InternetChecksum.finish(pseudo) & 0xFFFF);
        OffloadInfo.setChecksum(nbl, 0);
        OffloadInfo.setCoalesced(nbl, 0, 0);
        OffloadInfo.setLargeSend(nbl, OffloadInfo.NDIS_TCP_LARGE_SEND_OFFLOAD_V2_TYPE, mss, facts.headerLength, v6);
        return true;
    }

    /**
     * Makes a forwarded packet's checksum slot speak to the egress: a field the arrival's NIC left partial
     * ({@code TcpChecksumValueInvalid}) becomes a transmit checksum request where the egress can compute it, and is
     * completed here where it cannot; otherwise the packet's checksums are whole and the slot is cleared.
     */
    static void toTransmitChecksum(NetBufferList nbl, NetBuffer nb, PathScratch.Frame frame, IpInterface egress) {
        PacketFacts facts = frame.facts;
        int receiveBits = OffloadInfo.receiveChecksum(nbl);
        boolean tcp = facts.protocol == IcmpMessages.IPPROTO_TCP;
        boolean partial = (receiveBits & OffloadInfo.RECEIVE_TCP_CHECKSUM_VALUE_INVALID) != 0
                && (tcp || facts.protocol == IcmpMessages.IPPROTO_UDP)
                && !facts.fragment;
        if (!partial) {
            OffloadInfo.setChecksum(nbl, 0);
            return;
        }
        if (egress.offloadCapabilities().transmitChecksum()) {
            int request =
                    (facts.family == AddressFamily.INET ? OffloadInfo.TRANSMIT_IS_IPV4 : OffloadInfo.TRANSMIT_IS_IPV6)
                            | (tcp ? OffloadInfo.TRANSMIT_TCP_CHECKSUM : OffloadInfo.TRANSMIT_UDP_CHECKSUM);
            OffloadInfo.setChecksum(nbl, OffloadInfo.transmit(request, facts.headerLength));
            return;
        }
        int field = facts.headerLength + (tcp ? 16 : 6);
        int length = facts.packetLength - facts.headerLength;
        writeChecksumField(nb, frame, field, 0);
        long sum = InternetChecksum.pseudoHeader(
                facts.family,
                facts.sourceHigh,
                facts.sourceLow,
                facts.destinationHigh,
                facts.destinationLow,
                length,
                facts.protocol);
        int checksum = InternetChecksum.finish(NetBufferBytes.checksum(nb, facts.headerLength, length, sum));
        writeChecksumField(nb, frame, field, checksum == 0 && !tcp ? 0xFFFF : checksum);
        OffloadInfo.setChecksum(nbl, 0);
    }

    /** Writes a 16-bit checksum field into the packet, wherever its MDLs put it. */
    private static void writeChecksumField(NetBuffer nb, PathScratch.Frame frame, int offset, int value) {
        frame.word.set(InternetChecksum.U16, 0, (short) value);
        nb.copyFrom(offset, frame.word, 0, 2);
    }
}
