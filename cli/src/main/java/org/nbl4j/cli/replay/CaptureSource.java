package org.nbl4j.cli.replay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;

/**
 * Where the packets come from: a pcap or pcapng file, or the capture bundled with the command
 * ({@code docs/bundled-capture.md}).
 *
 * @param file the file, or null for the bundled capture
 */
public record CaptureSource(@Nullable Path file) {
    /** The classpath resource of the bundled capture. */
    public static final String BUNDLED_RESOURCE = "/org/nbl4j/cli/capture/bundled.pcapng";

    /** The bundled capture. */
    public static CaptureSource bundled() {
        return new CaptureSource(null);
    }

    /** How the summary names it. */
    public String describe() {
        return file == null ? "bundled capture (docs/bundled-capture.md)" : file.toString();
    }

    /** Opens the bytes, counting what is read so that progress can be shown. */
    CountingChannel open() throws BadInputException {
        if (file == null) {
            InputStream stream = CaptureSource.class.getResourceAsStream(BUNDLED_RESOURCE);
            if (stream == null) {
                throw new BadInputException("the bundled capture " + BUNDLED_RESOURCE + " is missing from the jar");
            }
            return new CountingChannel(Channels.newChannel(stream), -1);
        }
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            return new CountingChannel(channel, channel.size());
        } catch (IOException e) {
            throw new BadInputException("--capture " + file + ": cannot open it (" + e.getMessage() + ")", e);
        }
    }

    /** A channel that counts the bytes read through it. */
    static final class CountingChannel implements ReadableByteChannel {
        private final ReadableByteChannel channel;
        private final long size;
        private long read;

        CountingChannel(ReadableByteChannel channel, long size) {
            this.channel = channel;
            this.size = size;
        }

        /** Bytes read so far (the reader reads ahead of the packet it returns). */
        long bytesRead() {
            return read;
        }

        /** The size of the file, or -1 when unknown. */
        long size() {
            return size;
        }

        @Override
        public int read(ByteBuffer destination) throws IOException {
            int count = channel.read(destination);
            if (count > 0) {
                read += count;
            }
            return count;
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
