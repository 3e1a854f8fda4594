package org.nbl4j.io.capture;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.List;

/** Reading and writing captures in memory for the tests. */
final class Captures {
    private Captures() {}

    static CaptureReader reader(byte[] file) throws IOException {
        return CaptureReader.open(Channels.newChannel(new ByteArrayInputStream(file)));
    }

    static List<CapturedPacket> readAll(byte[] file) throws IOException {
        try (CaptureReader reader = reader(file)) {
            return reader.readAll();
        }
    }

    static byte[] write(CaptureFormat format, List<String> interfaceNames, List<CapturedPacket> packets)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CaptureWriter writer = format == CaptureFormat.PCAP
                ? CaptureWriter.pcap(Channels.newChannel(out))
                : CaptureWriter.pcapng(Channels.newChannel(out), interfaceNames)) {
            for (CapturedPacket packet : packets) {
                writer.write(packet);
            }
        }
        return out.toByteArray();
    }
}
