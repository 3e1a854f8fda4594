package org.nbl4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nbl4j.cli.replay.ReplayObserver;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.router.Router;

/**
 * A one-line progress bar on stderr for long replays, redrawn at most ten times a second: the share of the file read
 * (or, when its size is unknown, the packets read so far).
 */
final class ProgressBar implements ReplayObserver {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int WIDTH = 40;

    private final PrintWriter err;
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintWriter err) {
        this.err = err;
    }

    /** Whether to show it: asked for, or stderr is a terminal, and not quiet. */
    static boolean wanted(boolean forced, boolean quiet) {
        return !quiet && (forced || stderrIsTerminal());
    }

    /** Linux: whether file descriptor 2 is a terminal, read from {@code /proc}; false where that cannot be told. */
    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void progress(long packetsRead, long bytesRead, long totalBytes) {
        long now = System.nanoTime();
        if (drawn && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        drawn = true;
        if (totalBytes > 0) {
            double share = Math.min(1.0, (double) bytesRead / totalBytes);
            int filled = (int) (share * WIDTH);
            err.printf(
                    "\r[%s%s] %3d%%  %,d packets",
                    "#".repeat(filled), " ".repeat(WIDTH - filled), (int) (share * 100), packetsRead);
        } else {
            err.printf("\r%,d packets", packetsRead);
        }
        err.flush();
    }

    @Override
    public void finished() {
        if (drawn) {
            err.print("\r" + " ".repeat(WIDTH + 30) + "\r");
            err.flush();
        }
    }

    /** An observer that tells both. */
    static ReplayObserver combine(ReplayObserver first, ReplayObserver second) {
        return new ReplayObserver() {
            @Override
            public void started(Router router) {
                first.started(router);
                second.started(router);
            }

            @Override
            public void progress(long packetsRead, long bytesRead, long totalBytes) {
                first.progress(packetsRead, bytesRead, totalBytes);
                second.progress(packetsRead, bytesRead, totalBytes);
            }

            @Override
            public void finished() {
                first.finished();
                second.finished();
            }

            @Override
            public void transmitted(String interfaceName, NetBufferList nbl) {
                first.transmitted(interfaceName, nbl);
                second.transmitted(interfaceName, nbl);
            }

            @Override
            public void drained(Router router) {
                first.drained(router);
                second.drained(router);
            }
        };
    }
}
