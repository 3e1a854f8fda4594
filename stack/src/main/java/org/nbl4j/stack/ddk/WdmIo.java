package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.stack.device.CancelRoutine;
import org.nbl4j.stack.device.CancelSafeQueue;
import org.nbl4j.stack.device.Device;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.device.Irp;

/**
 * The I/O manager's part of {@code wdm.h}: device objects and symbolic links, IRPs and their stack locations, pending,
 * completion, cancellation and cancel-safe queues, and {@code CTL_CODE}. A driver's device is reachable from user mode
 * through its symbolic link (docs/devices.md); {@link SystemIo} names the I/O manager behind these DDIs.
 */
public final class WdmIo {
    private WdmIo() {}

    // ---- IRP major functions ----

    /** {@code IRP_MJ_CREATE}: {@code CreateFile}. */
    public static final int IRP_MJ_CREATE = 0x00;
    /** {@code IRP_MJ_CLOSE}: the last reference to the handle's file object went away. */
    public static final int IRP_MJ_CLOSE = 0x02;
    /** {@code IRP_MJ_READ} (not sent by nbl4j's clients). */
    public static final int IRP_MJ_READ = 0x03;
    /** {@code IRP_MJ_WRITE} (not sent by nbl4j's clients). */
    public static final int IRP_MJ_WRITE = 0x04;
    /** {@code IRP_MJ_DEVICE_CONTROL}: {@code DeviceIoControl}. */
    public static final int IRP_MJ_DEVICE_CONTROL = 0x0e;
    /** {@code IRP_MJ_INTERNAL_DEVICE_CONTROL}. */
    public static final int IRP_MJ_INTERNAL_DEVICE_CONTROL = 0x0f;
    /** {@code IRP_MJ_CLEANUP}: {@code CloseHandle} (or the process ending) closed the last handle. */
    public static final int IRP_MJ_CLEANUP = 0x12;
    /** {@code IRP_MJ_MAXIMUM_FUNCTION}: the last index of {@code MajorFunction}. */
    public static final int IRP_MJ_MAXIMUM_FUNCTION = 0x1b;

    // ---- device types, characteristics, flags ----

    /** {@code FILE_DEVICE_NETWORK}. */
    public static final int FILE_DEVICE_NETWORK = 0x12;
    /** {@code FILE_DEVICE_UNKNOWN}: what control devices of callout drivers use. */
    public static final int FILE_DEVICE_UNKNOWN = 0x22;
    /** {@code FILE_DEVICE_SECURE_OPEN}. */
    public static final int FILE_DEVICE_SECURE_OPEN = 0x100;
    /** {@code DO_BUFFERED_IO}. */
    public static final int DO_BUFFERED_IO = 0x4;
    /** {@code DO_DIRECT_IO}. */
    public static final int DO_DIRECT_IO = 0x10;
    /** {@code DO_DEVICE_INITIALIZING}: set by IoCreateDevice; a driver clears it when the device is ready. */
    public static final int DO_DEVICE_INITIALIZING = 0x80;

    // ---- CTL_CODE ----

    /** {@code METHOD_BUFFERED}. */
    public static final int METHOD_BUFFERED = 0;
    /** {@code METHOD_IN_DIRECT}. */
    public static final int METHOD_IN_DIRECT = 1;
    /** {@code METHOD_OUT_DIRECT}. */
    public static final int METHOD_OUT_DIRECT = 2;
    /** {@code METHOD_NEITHER}. */
    public static final int METHOD_NEITHER = 3;
    /** {@code FILE_ANY_ACCESS}. */
    public static final int FILE_ANY_ACCESS = 0;
    /** {@code FILE_SPECIAL_ACCESS}. */
    public static final int FILE_SPECIAL_ACCESS = 0;
    /** {@code FILE_READ_ACCESS}. */
    public static final int FILE_READ_ACCESS = 1;
    /** {@code FILE_WRITE_ACCESS}. */
    public static final int FILE_WRITE_ACCESS = 2;

    /** {@code CTL_CODE(DeviceType, Function, Method, Access)}. */
    public static int CTL_CODE(int DeviceType, int Function, int Method, int Access) {
        return (DeviceType << 16) | (Access << 14) | (Function << 2) | Method;
    }

    /** {@code METHOD_FROM_CTL_CODE(ctrlCode)}. */
    public static int METHOD_FROM_CTL_CODE(int ctrlCode) {
        return ctrlCode & 3;
    }

    /** {@code DEVICE_TYPE_FROM_CTL_CODE(ctrlCode)}. */
    public static int DEVICE_TYPE_FROM_CTL_CODE(int ctrlCode) {
        return ctrlCode >>> 16;
    }

    // ---- statuses the I/O manager's callers use ----

    /** {@code STATUS_PENDING}. */
    public static final int STATUS_PENDING = NtStatus.STATUS_PENDING;
    /** {@code STATUS_CANCELLED}: what a cancelled IRP completes with. */
    public static final int STATUS_CANCELLED = NtStatus.STATUS_CANCELLED;
    /** {@code STATUS_INVALID_DEVICE_REQUEST}: an unknown control code or major function. */
    public static final int STATUS_INVALID_DEVICE_REQUEST = NtStatus.STATUS_INVALID_DEVICE_REQUEST;
    /** {@code STATUS_BUFFER_TOO_SMALL}. */
    public static final int STATUS_BUFFER_TOO_SMALL = NtStatus.STATUS_BUFFER_TOO_SMALL;
    /** {@code STATUS_BUFFER_OVERFLOW}: a warning; the output returned is partial. */
    public static final int STATUS_BUFFER_OVERFLOW = NtStatus.STATUS_BUFFER_OVERFLOW;
    /** {@code STATUS_OBJECT_NAME_NOT_FOUND}. */
    public static final int STATUS_OBJECT_NAME_NOT_FOUND = NtStatus.STATUS_OBJECT_NAME_NOT_FOUND;
    /** {@code STATUS_OBJECT_NAME_COLLISION}. */
    public static final int STATUS_OBJECT_NAME_COLLISION = NtStatus.STATUS_OBJECT_NAME_COLLISION;
    /** {@code STATUS_DEVICE_NOT_READY}. */
    public static final int STATUS_DEVICE_NOT_READY = NtStatus.STATUS_DEVICE_NOT_READY;
    /** {@code STATUS_DELETE_PENDING}. */
    public static final int STATUS_DELETE_PENDING = NtStatus.STATUS_DELETE_PENDING;

    // ---- names ----

    /** {@code RtlInitUnicodeString(DestinationString, SourceString)}. */
    public static void RtlInitUnicodeString(UNICODE_STRING DestinationString, @Nullable String SourceString) {
        DestinationString.Buffer = SourceString;
    }

    // ---- device objects and links ----

    /**
     * {@code IoCreateDevice}: a device of the driver, named {@code DeviceName} (or unnamed), with
     * {@code DO_DEVICE_INITIALIZING} set. {@code DeviceExtensionSize}, the characteristics and {@code Exclusive} are
     * accepted; the extension is {@link DEVICE_OBJECT#DeviceExtension}, an object the driver sets.
     *
     * @return {@code STATUS_SUCCESS}, {@code STATUS_OBJECT_NAME_COLLISION}, or {@code STATUS_INVALID_DEVICE_STATE}
     *     when called above PASSIVE_LEVEL
     */
    public static int IoCreateDevice(
            DRIVER_OBJECT DriverObject,
            int DeviceExtensionSize,
            @Nullable UNICODE_STRING DeviceName,
            int DeviceType,
            int DeviceCharacteristics,
            boolean Exclusive,
            Ref<DEVICE_OBJECT> DeviceObject) {
        IoManager io = SystemIo.current();
        if (!io.irqlAtMost(Irql.PASSIVE_LEVEL, "IoCreateDevice")) {
            DeviceObject.set(null);
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        Device device =
                io.createDevice(DeviceName == null ? null : DeviceName.Buffer, DriverObject, DriverObject.dispatcher);
        if (device == null) {
            DeviceObject.set(null);
            return STATUS_OBJECT_NAME_COLLISION;
        }
        DEVICE_OBJECT created = new DEVICE_OBJECT(DriverObject, DeviceType, device);
        created.Flags = DO_DEVICE_INITIALIZING;
        DriverObject.DeviceObject = created;
        DeviceObject.set(created);
        return NtStatus.STATUS_SUCCESS;
    }

    /** {@code IoDeleteDevice}: with handles still open, {@code DEVICE_DELETED_WITH_OPEN_HANDLES}. */
    public static void IoDeleteDevice(DEVICE_OBJECT DeviceObject) {
        IoManager io = SystemIo.current();
        if (!io.irqlAtMost(Irql.PASSIVE_LEVEL, "IoDeleteDevice")) {
            return;
        }
        io.deleteDevice(DeviceObject.device());
        DRIVER_OBJECT driverObject = DeviceObject.DriverObject;
        if (driverObject != null && driverObject.DeviceObject == DeviceObject) {
            driverObject.DeviceObject = null;
        }
    }

    /** {@code IoCreateSymbolicLink}: user mode can open the device by the link's last component (docs/devices.md). */
    public static int IoCreateSymbolicLink(UNICODE_STRING SymbolicLinkName, UNICODE_STRING DeviceName) {
        if (SymbolicLinkName.Buffer == null || DeviceName.Buffer == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        IoManager io = SystemIo.current();
        if (!io.irqlAtMost(Irql.PASSIVE_LEVEL, "IoCreateSymbolicLink")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        return io.createSymbolicLink(SymbolicLinkName.Buffer, DeviceName.Buffer);
    }

    /** {@code IoDeleteSymbolicLink}. */
    public static int IoDeleteSymbolicLink(UNICODE_STRING SymbolicLinkName) {
        if (SymbolicLinkName.Buffer == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        IoManager io = SystemIo.current();
        if (!io.irqlAtMost(Irql.PASSIVE_LEVEL, "IoDeleteSymbolicLink")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        return io.deleteSymbolicLink(SymbolicLinkName.Buffer);
    }

    // ---- IRPs ----

    /** {@code IoGetCurrentIrpStackLocation(Irp)}. */
    public static IO_STACK_LOCATION IoGetCurrentIrpStackLocation(IRP Irp) {
        return Irp.stackLocation;
    }

    /** {@code IoMarkIrpPending(Irp)}: before returning STATUS_PENDING from a dispatch routine. */
    public static void IoMarkIrpPending(IRP Irp) {
        Irp.irp.markPending();
    }

    /**
     * {@code IoCompleteRequest(Irp, PriorityBoost)} ({@code IO_NO_INCREMENT} is {@code Ntddk}'s; the boost has no effect): hands {@code Irp.IoStatus} and the output back to user mode;
     * the IRP and its buffers are the I/O manager's from here on. A second call is {@code IRP_COMPLETED_TWICE}.
     */
    public static void IoCompleteRequest(IRP Irp, int PriorityBoost) {
        if (!SystemIo.current().irqlAtMost(Irql.DISPATCH_LEVEL, "IoCompleteRequest")) {
            return;
        }
        Irp.irp.complete(Irp.IoStatus.Status, Irp.IoStatus.Information);
    }

    /**
     * {@code IoSetCancelRoutine(Irp, CancelRoutine)}: an atomic exchange; returns the previous routine. Refused above
     * DISPATCH_LEVEL, it exchanges nothing and returns {@code NULL}.
     */
    public static @Nullable DRIVER_CANCEL IoSetCancelRoutine(IRP Irp, @Nullable DRIVER_CANCEL CancelRoutine) {
        if (!SystemIo.current().irqlAtMost(Irql.DISPATCH_LEVEL, "IoSetCancelRoutine")) {
            return null;
        }
        CancelRoutine previous = Irp.irp.setCancelRoutine(CancelRoutine == null ? null : new CancelCall(CancelRoutine));
        return switch (previous) {
            case null -> null;
            case CancelCall call -> call.routine();
            default -> new CancelCall.Engine(previous);
        };
    }

    /** {@code IoCancelIrp(Irp)}: whether a cancel routine was called. */
    public static boolean IoCancelIrp(IRP Irp) {
        if (!SystemIo.current().irqlAtMost(Irql.DISPATCH_LEVEL, "IoCancelIrp")) {
            return false;
        }
        return Irp.irp.cancel();
    }

    /**
     * {@code IoAcquireCancelSpinLock(&Irql)}: raises to DISPATCH_LEVEL. The cancel spin lock is a kernel spin lock: above
     * DISPATCH_LEVEL, acquired twice or released by another thread, it is reported as {@code KeAcquireSpinLock} is.
     */
    public static void IoAcquireCancelSpinLock(Ref<Integer> Irql) {
        Irql.set(SystemIo.current().acquireCancelSpinLock());
    }

    /** {@code IoReleaseCancelSpinLock(Irql)}: a cancel routine's first call, with {@code Irp.CancelIrql()}. */
    public static void IoReleaseCancelSpinLock(int Irql) {
        SystemIo.current().releaseCancelSpinLock(Irql);
    }

    // ---- cancel-safe queues ----

    /**
     * {@code IoCsqInitialize}: sets up {@code Csq} with the driver's routines. Refused above DISPATCH_LEVEL, it returns
     * {@code STATUS_INVALID_DEVICE_STATE} and leaves {@code Csq} uninitialized.
     */
    public static int IoCsqInitialize(
            IO_CSQ Csq,
            IO_CSQ.IO_CSQ_INSERT_IRP CsqInsertIrp,
            IO_CSQ.IO_CSQ_REMOVE_IRP CsqRemoveIrp,
            IO_CSQ.IO_CSQ_PEEK_NEXT_IRP CsqPeekNextIrp,
            IO_CSQ.IO_CSQ_ACQUIRE_LOCK CsqAcquireLock,
            IO_CSQ.IO_CSQ_RELEASE_LOCK CsqReleaseLock,
            IO_CSQ.IO_CSQ_COMPLETE_CANCELED_IRP CsqCompleteCanceledIrp) {
        IoManager io = SystemIo.current();
        if (!io.irqlAtMost(Irql.DISPATCH_LEVEL, "IoCsqInitialize")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        Csq.queue = new CancelSafeQueue(
                io,
                new IO_CSQ.Routines(
                        Csq,
                        CsqInsertIrp,
                        CsqRemoveIrp,
                        CsqPeekNextIrp,
                        CsqAcquireLock,
                        CsqReleaseLock,
                        CsqCompleteCanceledIrp));
        return NtStatus.STATUS_SUCCESS;
    }

    /** {@code IoCsqInsertIrp(Csq, Irp, Context)}: marks the IRP pending and queues it; {@code Context} may be NULL. */
    public static void IoCsqInsertIrp(IO_CSQ Csq, IRP Irp, @Nullable Object Context) {
        if (!SystemIo.current().irqlAtMost(Irql.DISPATCH_LEVEL, "IoCsqInsertIrp")) {
            return;
        }
        queue(Csq).insert(Irp.irp, Context);
    }

    /** {@code IoCsqRemoveNextIrp(Csq, PeekContext)}: the next IRP that is not being cancelled, or {@code NULL}. */
    public static @Nullable IRP IoCsqRemoveNextIrp(IO_CSQ Csq, @Nullable Object PeekContext) {
        if (!SystemIo.current().irqlAtMost(Irql.DISPATCH_LEVEL, "IoCsqRemoveNextIrp")) {
            return null;
        }
        Irp irp = queue(Csq).removeNext(PeekContext);
        return irp == null ? null : IRP.of(irp);
    }

    private static CancelSafeQueue queue(IO_CSQ csq) {
        CancelSafeQueue queue = csq.queue;
        if (queue == null) {
            throw new IllegalStateException("IoCsqInitialize was not called for this IO_CSQ");
        }
        return queue;
    }

    /** A driver's {@code DRIVER_CANCEL} as the I/O manager calls it. */
    private record CancelCall(DRIVER_CANCEL routine) implements CancelRoutine {
        @Override
        public void cancel(Device device, Irp irp) {
            routine.cancel(DEVICE_OBJECT.of(device), IRP.of(irp));
        }

        /** A cancel routine the I/O manager set (a cancel-safe queue's), handed back to a driver that replaced it. */
        private record Engine(CancelRoutine routine) implements DRIVER_CANCEL {
            @Override
            public void cancel(DEVICE_OBJECT DeviceObject, IRP Irp) {
                routine.cancel(DeviceObject.device(), Irp.irp);
            }
        }
    }
}
