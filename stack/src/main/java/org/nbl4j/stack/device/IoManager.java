package org.nbl4j.stack.device;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.stack.kernel.SpinLock;

/**
 * The I/O manager of one stack: its object namespace of devices ({@code \Device\...}) and symbolic links
 * ({@code \DosDevices\...}, {@code \??\...}), the cancel spin lock, IRP buffers and driver unload. A stack has one,
 * as Windows has one per machine; IRP buffers are allocated from the stack's NDIS instance under {@link #BUFFER_TAG},
 * so poolmon counts them, and its verifier checks the {@link DeviceRule}s.
 */
public final class IoManager {
    /** The tag of IRP system buffers and direct-I/O output buffers (nbl4j's: Windows' I/O manager uses its own). */
    public static final PoolTag BUFFER_TAG = PoolTag.of("IoBf");

    static final int IRP_MJ_CREATE = 0x00;
    static final int IRP_MJ_CLOSE = 0x02;
    static final int IRP_MJ_DEVICE_CONTROL = 0x0e;
    static final int IRP_MJ_CLEANUP = 0x12;
    static final int STATUS_PENDING = NtStatus.STATUS_PENDING;
    static final int STATUS_BUFFER_OVERFLOW = NtStatus.STATUS_BUFFER_OVERFLOW;

    private final Ndis ndis;
    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    private final Map<String, String> links = new ConcurrentHashMap<>();
    private final List<Device> created = new CopyOnWriteArrayList<>();
    private final List<LinkListener> listeners = new CopyOnWriteArrayList<>();
    private final SpinLock cancelSpinLock = new SpinLock();

    /** An I/O manager whose buffers and verifier are {@code ndis}'s. */
    public IoManager(Ndis ndis) {
        this.ndis = ndis;
    }

    /** The verifier the device rules report through: its NDIS instance's. */
    public Verifier verifier() {
        return ndis.verifier();
    }

    /**
     * Checks an {@code Io*} DDI's documented IRQL rule against the caller's level (the page of {@code ddi} in wdm.h's
     * reference); a broken rule is reported as {@code IRQL_TOO_HIGH} at the driver's line.
     *
     * @return whether the call may go on; the facade refuses it otherwise
     */
    public boolean irqlAtMost(Irql highest, String ddi) {
        return verifier().irqlAtMost(highest, ddi, "wdm");
    }

    /**
     * {@code IoCreateDevice}: a device named {@code name} (or unnamed) whose IRPs go to {@code dispatcher}.
     *
     * @return the device, or {@code null} if the name is taken ({@code STATUS_OBJECT_NAME_COLLISION})
     */
    public @Nullable Device createDevice(@Nullable String name, Object driver, Dispatcher dispatcher) {
        Device device = new Device(this, name, driver, dispatcher);
        if (name != null && devices.putIfAbsent(canonical(name), device) != null) {
            return null;
        }
        created.add(device);
        return device;
    }

    /**
     * {@code IoDeleteDevice}: removes the device's name. With handles still open it is
     * {@link DeviceRule#DEVICE_DELETED_WITH_OPEN_HANDLES}; as on Windows the object itself lives on until they close,
     * so their CLEANUP and CLOSE still reach the driver.
     */
    public void deleteDevice(Device device) {
        if (!device.openFiles().isEmpty()) {
            verifier()
                    .report(
                            DeviceRule.DEVICE_DELETED_WITH_OPEN_HANDLES,
                            device + " deleted with " + device.openFiles().size() + " handle(s) open",
                            null,
                            0);
        }
        device.markDeleted();
        String name = device.nameOrNull();
        if (name != null) {
            devices.remove(canonical(name), device);
        }
        if (device.openFiles().isEmpty()) {
            created.remove(device);
        }
    }

    /**
     * {@code IoCreateSymbolicLink}: makes {@code linkName} name the device {@code deviceName}, and tells the
     * {@link LinkListener}s.
     *
     * @return an NTSTATUS: success, {@code STATUS_OBJECT_NAME_NOT_FOUND} without such a device, or
     *     {@code STATUS_OBJECT_NAME_COLLISION} if the link exists
     */
    public int createSymbolicLink(String linkName, String deviceName) {
        if (!devices.containsKey(canonical(deviceName))) {
            return NtStatus.STATUS_OBJECT_NAME_NOT_FOUND;
        }
        if (links.putIfAbsent(canonical(linkName), canonical(deviceName)) != null) {
            return NtStatus.STATUS_OBJECT_NAME_COLLISION;
        }
        for (LinkListener listener : listeners) {
            listener.linkCreated(linkName);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /** {@code IoDeleteSymbolicLink}: success, or {@code STATUS_OBJECT_NAME_NOT_FOUND}. */
    public int deleteSymbolicLink(String linkName) {
        if (links.remove(canonical(linkName)) == null) {
            return NtStatus.STATUS_OBJECT_NAME_NOT_FOUND;
        }
        for (LinkListener listener : listeners) {
            listener.linkDeleted(linkName);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /** The symbolic links that exist now, as their creators spelled them up to case. */
    public List<String> symbolicLinks() {
        return List.copyOf(links.keySet());
    }

    /** Adds a listener; it is told of links created from now on ({@link #symbolicLinks()} lists the others). */
    public void addLinkListener(LinkListener listener) {
        listeners.add(listener);
    }

    /** Removes a listener. */
    public void removeLinkListener(LinkListener listener) {
        listeners.remove(listener);
    }

    /**
     * The start of {@code CreateFile}: a file object on the device {@code linkName} names; the caller sends its
     * IRP_MJ_CREATE with {@link FileObject#create}.
     *
     * @return the file object, or {@code null} if no such link or its device was deleted
     */
    public @Nullable FileObject open(String linkName) {
        String deviceName = links.get(canonical(linkName));
        Device device = deviceName == null ? null : devices.get(deviceName);
        return device == null ? null : device.open();
    }

    /**
     * Runs a driver's unload routine at PASSIVE_LEVEL, then reports {@link DeviceRule#IRP_PENDING_AT_UNLOAD} for each
     * IRP still pending on a device the driver created.
     *
     * @return the IRPs that were still pending
     */
    public List<Irp> unloadDriver(Object driver, Runnable unload) {
        unload.run();
        List<Irp> left = new ArrayList<>();
        for (Device device : created) {
            if (device.driver() != driver) {
                continue;
            }
            for (FileObject file : device.openFiles()) {
                left.addAll(file.pendingIrps());
            }
        }
        for (Irp irp : left) {
            verifier().report(DeviceRule.IRP_PENDING_AT_UNLOAD, irp + " still pending after DriverUnload", null, 0);
        }
        created.removeIf(device -> device.driver() == driver && device.deleted());
        return left;
    }

    /** {@code IoAcquireCancelSpinLock}: raises to DISPATCH_LEVEL and takes the lock; returns the previous level. */
    public int acquireCancelSpinLock() {
        return cancelSpinLock
                .acquireRaisingToDispatch(verifier(), "IoAcquireCancelSpinLock", "wdm")
                .level();
    }

    /** {@code IoReleaseCancelSpinLock}: releases the lock and lowers to {@code irql}. */
    public void releaseCancelSpinLock(int irql) {
        cancelSpinLock.releaseRestoring(verifier(), "IoReleaseCancelSpinLock", Irql.values()[levelIndex(irql)]);
    }

    private static int levelIndex(int level) {
        for (Irql irql : Irql.values()) {
            if (irql.level() == level) {
                return irql.ordinal();
            }
        }
        throw new IllegalArgumentException("not an emulated IRQL: " + level);
    }

    @Nullable
    MemoryBlock allocateBuffer(int length) {
        return length == 0 ? null : ndis.memory().allocate(BUFFER_TAG, length);
    }

    /** An MDL over the first {@code length} bytes of {@code memory}: a pool block's or the caller's own. */
    Mdl allocateMdl(MemorySegment memory, int length) {
        return ndis.mdls().allocate(memory, length);
    }

    void free(@Nullable MemoryBlock systemBuffer, @Nullable MemoryBlock outputBlock, @Nullable Mdl mdl) {
        if (mdl != null) {
            ndis.mdls().free(mdl, "IoCompleteRequest");
        }
        if (systemBuffer != null) {
            ndis.memory().free(systemBuffer, "IoCompleteRequest");
        }
        if (outputBlock != null) {
            ndis.memory().free(outputBlock, "IoCompleteRequest");
        }
    }

    /** Object names are case-insensitive; {@code \??\} and {@code \DosDevices\} are one directory. */
    static String canonical(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return lower.startsWith("\\??\\") ? "\\dosdevices\\" + lower.substring(4) : lower;
    }

    static String majorName(int majorFunction) {
        return switch (majorFunction) {
            case IRP_MJ_CREATE -> "IRP_MJ_CREATE";
            case IRP_MJ_CLOSE -> "IRP_MJ_CLOSE";
            case IRP_MJ_DEVICE_CONTROL -> "IRP_MJ_DEVICE_CONTROL";
            case IRP_MJ_CLEANUP -> "IRP_MJ_CLEANUP";
            default -> "IRP_MJ_0x" + Integer.toHexString(majorFunction);
        };
    }
}
