package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.device.FileObject;

/** {@code FILE_OBJECT}: one open handle of user mode on a device; a driver keeps per-handle state in its contexts. */
public final class FILE_OBJECT {
    /** {@code FsContext}: the driver's per-handle context, set in IRP_MJ_CREATE. */
    public @Nullable Object FsContext;
    /** {@code FsContext2}. */
    public @Nullable Object FsContext2;

    final FileObject file;

    private FILE_OBJECT(FileObject file) {
        this.file = file;
    }

    static synchronized FILE_OBJECT of(FileObject file) {
        Object view = file.attachment();
        if (view != null) {
            return (FILE_OBJECT) view;
        }
        FILE_OBJECT created = new FILE_OBJECT(file);
        file.attach(created);
        return created;
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
