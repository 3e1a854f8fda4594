package org.nbl4j.stack.device;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A device object ({@code DEVICE_OBJECT}) of a driver: its name in the object namespace, the driver's dispatch
 * table, and the handles user mode holds open on it.
 */
public final class Device {
    private final IoManager io;
    private final @Nullable String name;
    private final Object driver;
    private final Dispatcher dispatcher;
    private final Set<FileObject> open = ConcurrentHashMap.newKeySet();
    private volatile boolean deleted;
    private volatile @Nullable Object attachment;

    Device(IoManager io, @Nullable String name, Object driver, Dispatcher dispatcher) {
        this.io = io;
        this.name = name;
        this.driver = driver;
        this.dispatcher = dispatcher;
    }

    /** The device's name (e.g. {@code \Device\Verdicts}), or {@code <unnamed>}. */
    public String name() {
        return name == null ? "<unnamed>" : name;
    }

    @Nullable
    String nameOrNull() {
        return name;
    }

    /** The driver that created it: the key {@link IoManager#unloadDriver} looks devices up by. */
    public Object driver() {
        return driver;
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    /** Whether {@code IoDeleteDevice} was called. */
    public boolean deleted() {
        return deleted;
    }

    /** The handles open on the device (IRP_MJ_CLOSE not sent yet). */
    public List<FileObject> openFiles() {
        return List.copyOf(open);
    }

    /** The facade's view of this device ({@code DEVICE_OBJECT} with its extension). */
    public @Nullable Object attachment() {
        return attachment;
    }

    /** Sets the facade's view. */
    public void attach(Object view) {
        attachment = view;
    }

    FileObject open() {
        FileObject file = new FileObject(io, this);
        open.add(file);
        return file;
    }

    void closed(FileObject file) {
        open.remove(file);
    }

    void markDeleted() {
        deleted = true;
    }

    @Override
    public String toString() {
        return "device " + name();
    }
}
