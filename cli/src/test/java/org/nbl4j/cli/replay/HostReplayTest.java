package org.nbl4j.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.io.capture.CaptureFormat;
import org.nbl4j.io.capture.CaptureWriter;
import org.nbl4j.stack.wfp.Layer;

/**
 * Issue 14's must-show 3: a capture of one host's traffic (its NIC, one capture interface) replayed in host mode shows
 * the ALE, transport and datagram-data layers the counts docs/wfp.md's rule predicts ("Host mode", the counting rule),
 * with no root and no leak. The capture is generated here: one TCP connection out (handshake, data both ways, FIN both
 * ways), a UDP exchange out (two datagrams each way), a ping, and a UDP flow in.
 */
class HostReplayTest {
    private static final String HOST = "198.51.100.2";
    private static final String REMOTE = "203.0.113.9";

    @TempDir
    Path directory;

    @Test
    @DisplayName("run in host mode: ALE once per flow, transport per packet, datagram data per UDP/ICMP echo packet")
    void replayedHostTrafficFollowsTheCountingRule() throws Exception {
        Path capture = directory.resolve("host.pcapng");
        List<byte[]> packets = hostTraffic();
        try (CaptureWriter writer = CaptureWriter.create(capture, CaptureFormat.PCAPNG, List.of("net"))) {
            for (int i = 0; i < packets.size(); i++) {
                byte[] packet = packets.get(i);
                writer.write(
                        0, 1_700_000_000_000_000_000L + i * 1_000_000L, packet.length, MemorySegment.ofArray(packet));
            }
        }
        RouterConfig config = new ConfigParser()
                .option("interface", "name=apps")
                .option("interface", "name=net,address=" + HOST + "/24")
                .option("route", "0.0.0.0/0,via=198.51.100.1,interface=net")
                .option("applications", "apps")
                .option("verifier", "full")
                .build();
        ReplayResult result = new ReplayEngine(config, PacketSelection.ARRIVING)
                .replay(new CaptureSource(capture), null, ReplayObserver.NONE);
        var shown = result.wfp().indications();
        assertEquals(3, shown.get(Layer.ALE_AUTH_CONNECT_V4), "one connect per outbound flow");
        assertEquals(1, shown.get(Layer.ALE_AUTH_RECV_ACCEPT_V4), "one recv-accept per inbound flow");
        assertEquals(4, shown.get(Layer.ALE_FLOW_ESTABLISHED_V4), "one per permitted flow");
        assertEquals(8, shown.get(Layer.OUTBOUND_TRANSPORT_V4), "TCP 5 + UDP 2 + ICMP 1 out");
        assertEquals(7, shown.get(Layer.INBOUND_TRANSPORT_V4), "TCP 3 + UDP 3 + ICMP 1 in");
        assertEquals(7, shown.get(Layer.DATAGRAM_DATA_V4), "UDP 5 + ICMP 2");
        assertEquals(8, shown.get(Layer.OUTBOUND_IPPACKET_V4), "every outbound packet reached the network side");
        assertTrue(ReplaySummary.verdict(result).contains("no leak"), ReplaySummary.verdict(result));
    }

    private static List<byte[]> hostTraffic() throws Exception {
        List<byte[]> packets = new ArrayList<>();
        int syn = 0x02;
        int ack = 0x10;
        int fin = 0x01;
        packets.add(out(6, tcp(40000, 80, syn)));
        packets.add(in(6, tcp(80, 40000, syn | ack)));
        packets.add(out(6, tcp(40000, 80, ack)));
        packets.add(out(6, tcp(40000, 80, ack)));
        packets.add(in(6, tcp(80, 40000, ack)));
        packets.add(out(6, tcp(40000, 80, fin | ack)));
        packets.add(in(6, tcp(80, 40000, fin | ack)));
        packets.add(out(6, tcp(40000, 80, ack)));
        packets.add(out(17, udp(5000, 53)));
        packets.add(in(17, udp(53, 5000)));
        packets.add(out(17, udp(5000, 53)));
        packets.add(in(17, udp(53, 5000)));
        packets.add(out(1, echo(8)));
        packets.add(in(1, echo(0)));
        packets.add(in(17, udp(6000, 7)));
        return packets;
    }

    private static byte[] out(int protocol, byte[] transport) throws Exception {
        return ipv4(HOST, REMOTE, protocol, transport);
    }

    private static byte[] in(int protocol, byte[] transport) throws Exception {
        return ipv4(REMOTE, HOST, protocol, transport);
    }

    /** An IPv4 packet, TTL 64, with a correct header checksum (the transport checksums are not checked on this path). */
    private static byte[] ipv4(String source, String destination, int protocol, byte[] payload) throws Exception {
        byte[] packet = new byte[20 + payload.length];
        packet[0] = 0x45;
        packet[2] = (byte) (packet.length >>> 8);
        packet[3] = (byte) packet.length;
        packet[8] = 64;
        packet[9] = (byte) protocol;
        System.arraycopy(InetAddress.getByName(source).getAddress(), 0, packet, 12, 4);
        System.arraycopy(InetAddress.getByName(destination).getAddress(), 0, packet, 16, 4);
        System.arraycopy(payload, 0, packet, 20, payload.length);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((packet[i] & 0xFF) << 8) | (packet[i + 1] & 0xFF);
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        packet[10] = (byte) (~sum >>> 8);
        packet[11] = (byte) ~sum;
        return packet;
    }

    private static byte[] tcp(int sourcePort, int destinationPort, int flags) {
        byte[] segment = new byte[20];
        segment[0] = (byte) (sourcePort >>> 8);
        segment[1] = (byte) sourcePort;
        segment[2] = (byte) (destinationPort >>> 8);
        segment[3] = (byte) destinationPort;
        segment[12] = 0x50;
        segment[13] = (byte) flags;
        return segment;
    }

    private static byte[] udp(int sourcePort, int destinationPort) {
        byte[] datagram = new byte[12];
        datagram[0] = (byte) (sourcePort >>> 8);
        datagram[1] = (byte) sourcePort;
        datagram[2] = (byte) (destinationPort >>> 8);
        datagram[3] = (byte) destinationPort;
        datagram[5] = (byte) datagram.length;
        return datagram;
    }

    private static byte[] echo(int type) {
        byte[] message = new byte[16];
        message[0] = (byte) type;
        message[5] = 0x77;
        message[7] = 1;
        return message;
    }
}
