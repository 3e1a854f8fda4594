package org.nbl4j.samples.host;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.nbl4j.stack.ip.InternetChecksum;

/** IPv4 TCP and UDP packets with valid checksums, for the host-role samples' tests. */
public final class HostPackets {
    public static final int SYN = 0x02;
    public static final int ACK = 0x10;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;

    private HostPackets() {}

    /** An IPv4 UDP datagram. */
    public static byte[] udp(String source, int sourcePort, String destination, int destinationPort, byte[] data) {
        ByteBuffer udp = ByteBuffer.allocate(8 + data.length);
        udp.putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) (8 + data.length));
        udp.putShort((short) 0).put(data);
        return ipv4(source, destination, 17, udp.array(), 6);
    }

    /** An IPv4 TCP segment without options. */
    public static byte[] tcp(
            String source,
            int sourcePort,
            String destination,
            int destinationPort,
            int seq,
            int ack,
            int flags,
            byte[] data) {
        ByteBuffer tcp = ByteBuffer.allocate(20 + data.length);
        tcp.putShort((short) sourcePort)
                .putShort((short) destinationPort)
                .putInt(seq)
                .putInt(ack);
        tcp.put((byte) 0x50).put((byte) flags).putShort((short) 65535).putInt(0).put(data);
        return ipv4(source, destination, 6, tcp.array(), 16);
    }

    private static byte[] ipv4(String source, String destination, int protocol, byte[] transport, int checksumAt) {
        byte[] src = SampleHost.address(source).getAddress();
        byte[] dst = SampleHost.address(destination).getAddress();
        int total = 20 + transport.length;
        ByteBuffer packet = ByteBuffer.allocate(total);
        packet.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) total)
                .putShort((short) 1)
                .putShort((short) 0x4000);
        packet.put((byte) 64)
                .put((byte) protocol)
                .putShort((short) 0)
                .put(src)
                .put(dst)
                .put(transport);
        byte[] bytes = packet.array();
        MemorySegment segment = MemorySegment.ofArray(bytes);
        int header = InternetChecksum.compute(segment, 0, 20);
        bytes[10] = (byte) (header >>> 8);
        bytes[11] = (byte) header;
        long pseudo = InternetChecksum.add(protocol + transport.length, segment, 12, 8);
        int sum = InternetChecksum.finish(InternetChecksum.add(pseudo, segment, 20, transport.length));
        if (protocol == 17 && sum == 0) {
            sum = 0xFFFF;
        }
        bytes[20 + checksumAt] = (byte) (sum >>> 8);
        bytes[20 + checksumAt + 1] = (byte) sum;
        return bytes;
    }

    /** The 16-bit big-endian value at {@code at}. */
    public static int u16(byte[] packet, int at) {
        return (packet[at] & 0xFF) << 8 | (packet[at + 1] & 0xFF);
    }
}
