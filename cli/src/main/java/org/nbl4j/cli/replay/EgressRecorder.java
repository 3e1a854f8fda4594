package org.nbl4j.cli.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.io.capture.CaptureFormat;
import org.nbl4j.io.capture.CaptureWriter;
import org.nbl4j.stack.ip.InternetChecksum;
import org.nbl4j.stack.ndis.OffloadInfo;
import org.nbl4j.stack.ndis.TransmitSink;

/**
 * The wire of one egress interface during a replay: counts every packet its {@code MemoryMiniport} transmits and, with
 * an output directory, writes it to {@code <interface>.pcapng} stamped with the capture time of the packet being
 * replayed. The bytes are copied out of the NB's MDL chain into one reused segment; a slice per packet length is made
 * once and kept, so a transmit allocates nothing.
 *
 * <p>An LSO send is written whole, as Linux's captures show a TSO packet before the segmentation: its TCP checksum
 * field then holds the pseudo-header sum with the TCP length, as Linux leaves it (CHECKSUM_PARTIAL). Windows' LSO
 * field leaves the length out, for the NIC to add per segment, so the recorder adds it to its copy, as the TUN
 * miniport does for the kernel.
 */
final class EgressRecorder implements TransmitSink, AutoCloseable {
    private static final int TCP_CHECKSUM_FIELD = 16;
    private final String interfaceName;
    private final ReplayClock clock;
    private final ReplayObserver observer;
    private final @Nullable CaptureWriter writer;
    private final @Nullable MemorySegment packet;
    private final MemorySegment[] slices;
    private long packets;

    EgressRecorder(
            String interfaceName,
            int largestPacket,
            @Nullable Path outputDirectory,
            Arena arena,
            ReplayClock clock,
            ReplayObserver observer)
            throws IOException {
        this.interfaceName = interfaceName;
        this.clock = clock;
        this.observer = observer;
        if (outputDirectory == null) {
            writer = null;
            packet = null;
            slices = new MemorySegment[0];
        } else {
            writer = CaptureWriter.create(
                    outputDirectory.resolve(interfaceName + ".pcapng"), CaptureFormat.PCAPNG, List.of(interfaceName));
            packet = arena.allocate(largestPacket);
            slices = new MemorySegment[largestPacket + 1];
        }
    }

    /** Packets transmitted (one per NB). */
    long packets() {
        return packets;
    }

    @Override
    public void transmit(NetBufferList nbl) {
        int lso = OffloadInfo.largeSend(nbl);
        for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next()) {
            packets++;
            if (writer != null) {
                write(writer, nb, lso);
            }
        }
        observer.transmitted(interfaceName, nbl);
    }

    private void write(CaptureWriter to, NetBuffer nb, int lso) {
        // The miniport sends nothing longer than its MTU or, with LSO, its largest send: the size of the segment.
        int length = nb.dataLength();
        nb.copyTo(0, packetSegment(), 0, length);
        if (OffloadInfo.largeSendMss(lso) != 0) {
            int tcp = OffloadInfo.largeSendTcpHeaderOffset(lso);
            InternetChecksum.addToPartialSum(packetSegment(), tcp + TCP_CHECKSUM_FIELD, length - tcp);
        }
        MemorySegment slice = slices[length];
        if (slice == null) {
            slice = packetSegment().asSlice(0, length);
            slices[length] = slice;
        }
        try {
            to.write(0, clock.nanos, length, slice);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + interfaceName + ".pcapng", e);
        }
    }

    private MemorySegment packetSegment() {
        if (packet == null) {
            throw new IllegalStateException("no output file for " + interfaceName);
        }
        return packet;
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
    }
}
