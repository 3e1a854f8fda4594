package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.device.Device;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.device.Irp;

/**
 * {@code WDFDEVICE}: a framework device; for a callout driver, a control device, whose WDM device object it registers
 * its callouts with. Named ({@code WdfDeviceInitAssignName}), it is a device of the I/O manager: the framework
 * succeeds CREATE, CLEANUP and CLOSE itself and hands each device control to the device's default queue.
 */
public final class WDFDEVICE {
    final WDFDRIVER driver;
    final DEVICE_OBJECT deviceObject;
    /** The I/O manager of a named device; {@code null} for an unnamed one. */
    final @Nullable IoManager io;
    /** {@code WdfDeviceInitAssignName}'s name; {@code null} for an unnamed device. */
    final @Nullable String name;
    /** Until {@code WdfControlFinishInitializing}: a control device that is initializing receives no I/O. */
    boolean initializing = true;
    /** The queue {@code WdfIoQueueCreate} made with {@code DefaultQueue} set. */
    @Nullable
    WDFQUEUE defaultQueue;
    /** The link {@code WdfDeviceCreateSymbolicLink} made, which goes with the device. */
    @Nullable
    String symbolicLink;

    /** An unnamed device: no I/O behind its device object. */
    WDFDEVICE(WDFDRIVER driver) {
        this.driver = driver;
        this.deviceObject = new DEVICE_OBJECT();
        this.io = null;
        this.name = null;
    }

    /** A named device of {@code io}'s; {@code deviceObject} is {@code null} when the name is taken. */
    private WDFDEVICE(WDFDRIVER driver, IoManager io, String name) {
        this.driver = driver;
        this.io = io;
        this.name = name;
        Device device = io.createDevice(name, driver, this::dispatch);
        this.deviceObject =
                device == null ? new DEVICE_OBJECT() : new DEVICE_OBJECT(null, WdmIo.FILE_DEVICE_UNKNOWN, device);
    }

    /** A named device, or {@code null} if another device has the name. */
    static @Nullable WDFDEVICE named(WDFDRIVER driver, IoManager io, String name) {
        WDFDEVICE created = new WDFDEVICE(driver, io, name);
        return created.deviceObject.device == null ? null : created;
    }

    /** Whether {@code WdfControlFinishInitializing} has not been called yet. */
    public boolean isInitializing() {
        return initializing;
    }

    /** The framework's part of the dispatch: requests to an initializing device fail; device controls go to the queue. */
    private int dispatch(Device device, Irp irp) {
        if (initializing) {
            irp.complete(NtStatus.STATUS_DEVICE_NOT_READY, 0);
            return NtStatus.STATUS_DEVICE_NOT_READY;
        }
        if (irp.majorFunction() != WdmIo.IRP_MJ_DEVICE_CONTROL) {
            irp.complete(NtStatus.STATUS_SUCCESS, 0);
            return NtStatus.STATUS_SUCCESS;
        }
        WDFQUEUE queue = defaultQueue;
        if (queue == null) {
            irp.complete(NtStatus.STATUS_INVALID_DEVICE_REQUEST, 0);
            return NtStatus.STATUS_INVALID_DEVICE_REQUEST;
        }
        queue.queue.deliver(irp);
        return NtStatus.STATUS_PENDING;
    }
}
