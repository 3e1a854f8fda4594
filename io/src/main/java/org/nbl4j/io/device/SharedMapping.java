package org.nbl4j.io.device;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;

/**
 * A handle's mapping (MAP): a file the client made and mapped shared, mapped by the server too, so that the output
 * buffers of the handle's IOCTL_MAPPED requests are in the client's memory as the driver writes them. It stands for the
 * caller's pages that Windows locks for METHOD_IN_DIRECT and METHOD_OUT_DIRECT, which the driver's MDL maps.
 *
 * <p>It lives until the handle is closed and every IRP that uses it has completed: each such IRP holds it from
 * {@link #acquire} to its completion's {@link #release}, the handle from {@link #map} to its close, and the last
 * release unmaps it. A driver that still wrote through an MDL after that would find a closed segment; holding the
 * mapping while its IRPs are pending keeps that from happening, and an IRP that never completes keeps it mapped.
 */
final class SharedMapping {
    private final Arena arena;
    private final MemorySegment memory;
    private final AtomicInteger holders = new AtomicInteger(1);

    private SharedMapping(Arena arena, MemorySegment memory) {
        this.arena = arena;
        this.memory = memory;
    }

    /**
     * What MAP got: the mapping, or the NTSTATUS its reply says.
     *
     * @param mapping null unless the status is success
     */
    record Outcome(int status, @Nullable SharedMapping mapping) {}

    /**
     * Maps {@code size} bytes of {@code name} from offset 0, read/write and shared, for a client that is
     * {@code peer}. The server may run as root: the file must be a regular file that {@code peer} owns, reached without
     * following a symbolic link at its last component, so that a client cannot make it write into a file that is not
     * the client's. The statuses are those of the Windows call that would refuse the same thing: NtCreateFile for
     * the name and the object ({@code OBJ_DONT_REPARSE}, {@code FILE_NON_DIRECTORY_FILE}, the access check),
     * NtCreateSection for a file that cannot back a section, NtMapViewOfSection for the size.
     *
     * <p>What is checked is the path's status before the file is opened, and again after (the same file key), which
     * leaves a client that swaps the path twice in between the window of those two calls: Java gives no fstat of an
     * open channel. Such a swap can only bring in a file the client can link or rename into a directory it writes,
     * which the kernel's protected hard links ({@code fs.protected_hardlinks}) limit to the client's own files.
     */
    static Outcome map(String name, long size, @Nullable UserPrincipal peer) {
        Path path;
        try {
            path = Path.of(name);
        } catch (InvalidPathException e) {
            return refused(NtStatus.STATUS_OBJECT_NAME_INVALID);
        }
        if (!path.isAbsolute()) {
            // NtCreateFile: a relative name without a root directory handle
            return refused(NtStatus.STATUS_OBJECT_PATH_SYNTAX_BAD);
        }
        if (size <= 0) {
            return refused(NtStatus.STATUS_INVALID_PARAMETER);
        }
        try {
            PosixFileAttributes before = attributes(path);
            int refusal = refusal(before, size, peer);
            if (refusal != NtStatus.STATUS_SUCCESS) {
                return refused(refusal);
            }
            try (FileChannel channel = FileChannel.open(
                    path, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
                PosixFileAttributes after = attributes(path);
                if (!after.fileKey().equals(before.fileKey())) {
                    return refused(NtStatus.STATUS_ACCESS_DENIED); // swapped while it was opened
                }
                if (size > channel.size()) {
                    return refused(NtStatus.STATUS_INVALID_VIEW_SIZE); // truncated since
                }
                Arena arena = Arena.ofShared();
                try {
                    return new Outcome(
                            NtStatus.STATUS_SUCCESS,
                            new SharedMapping(arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena)));
                } catch (IOException | RuntimeException e) {
                    arena.close();
                    throw e;
                }
            }
        } catch (NoSuchFileException e) {
            return refused(NtStatus.STATUS_OBJECT_NAME_NOT_FOUND);
        } catch (AccessDeniedException e) {
            return refused(NtStatus.STATUS_ACCESS_DENIED);
        } catch (FileSystemException e) {
            // ELOOP: the last component became a symbolic link after it was checked
            return refused(NtStatus.STATUS_REPARSE_POINT_ENCOUNTERED);
        } catch (IOException e) {
            return refused(NtStatus.STATUS_INSUFFICIENT_RESOURCES);
        }
    }

    private static PosixFileAttributes attributes(Path path) throws IOException {
        return Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    /** Why {@code file} may not be mapped for {@code peer}, or STATUS_SUCCESS. */
    private static int refusal(PosixFileAttributes file, long size, @Nullable UserPrincipal peer) {
        if (file.isSymbolicLink()) {
            return NtStatus.STATUS_REPARSE_POINT_ENCOUNTERED;
        }
        if (file.isDirectory()) {
            return NtStatus.STATUS_FILE_IS_A_DIRECTORY;
        }
        if (!file.isRegularFile()) {
            return NtStatus.STATUS_INVALID_FILE_FOR_SECTION; // a FIFO, socket or device cannot back a section
        }
        if (!file.owner().equals(peer)) {
            return NtStatus.STATUS_ACCESS_DENIED;
        }
        return size > file.size() ? NtStatus.STATUS_INVALID_VIEW_SIZE : NtStatus.STATUS_SUCCESS;
    }

    private static Outcome refused(int status) {
        return new Outcome(status, null);
    }

    /**
     * The output buffer {@code [offset, offset + length)} of the mapping, both unsigned as the frame carries them, or
     * {@code null} if it is not inside the mapping or longer than an IRP's {@code OutputBufferLength} can say.
     */
    @Nullable
    MemorySegment slice(long offset, int length) {
        if (length < 0 || offset < 0 || offset > memory.byteSize() - length) {
            return null;
        }
        return memory.asSlice(offset, length);
    }

    /** An IRP uses the mapping until its completion calls {@link #release}. */
    void acquire() {
        holders.incrementAndGet();
    }

    /** The handle closed, or an IRP that used the mapping completed: the last one unmaps it. */
    void release() {
        if (holders.decrementAndGet() == 0) {
            arena.close();
        }
    }
}
