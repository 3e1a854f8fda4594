package org.nbl4j.stack.ddk;

import static org.nbl4j.stack.ddk.Fwpsk.STATUS_SUCCESS;
import static org.nbl4j.stack.ddk.Ntddk.IO_NO_INCREMENT;
import static org.nbl4j.stack.ddk.Ntddk.KeAcquireSpinLock;
import static org.nbl4j.stack.ddk.Ntddk.KeReleaseSpinLock;
import static org.nbl4j.stack.ddk.Wdm.*;
import static org.nbl4j.stack.ddk.WdmIo.*;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A WDM control-device driver ported line by line from the shape of a C inverted-call driver: user mode keeps
 * IOCTL_WAIT requests pending in a cancel-safe queue, and IOCTL_FIRE completes the oldest one with its input. It also
 * echoes (METHOD_BUFFERED), fills an MDL (METHOD_OUT_DIRECT) and reverses through METHOD_NEITHER's raw buffers. The
 * tests break it on purpose through {@link #bug}.
 */
final class InvertedCallDriver {
    // C's CTL_CODE is a macro and its results are case labels; Java's switch needs literals, so each code is
    // written out with the CTL_CODE it is (WdmIoTest checks that they agree).
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    static final int IOCTL_ECHO = 0x00222000;
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_READ_ACCESS)}. */
    static final int IOCTL_WAIT = 0x00226004;
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_WRITE_ACCESS)}. */
    static final int IOCTL_FIRE = 0x0022A008;
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)}. */
    static final int IOCTL_FILL = 0x0022200E;
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x804, METHOD_NEITHER, FILE_ANY_ACCESS)}. */
    static final int IOCTL_REVERSE = 0x00222013;

    static final String DEVICE_NAME = "\\Device\\InvertedCall";
    static final String LINK_NAME = "\\DosDevices\\InvertedCall";

    /** The mistakes a test asks the driver to make. */
    enum Bug {
        NONE,
        COMPLETE_ECHO_TWICE,
        COMPLETE_ECHO_UNDER_LOCK,
        PEND_WAIT_WITHOUT_QUEUE,
        KEEP_WAITS_AT_UNLOAD,
        READ_BUFFER_AFTER_COMPLETION,
        DELETE_DEVICE_ON_CREATE
    }

    Bug bug = Bug.NONE;
    /** The lock {@link Bug#COMPLETE_ECHO_UNDER_LOCK} completes under. */
    private final KSPIN_LOCK echoLock = new KSPIN_LOCK();

    /** Not a mistake: a wait is taken off the queue before the dispatch routine returns, and completed later. */
    boolean takeWaitBeforeReturn;

    @Nullable
    IRP takenOff;

    @Nullable
    DEVICE_OBJECT deviceObject;

    final IO_CSQ csq = new IO_CSQ();
    private final ArrayDeque<IRP> waiting = new ArrayDeque<>();
    private final ReentrantLock waitingLock = new ReentrantLock();
    int cleanups;
    int closes;
    int cancelled;

    int DriverEntry(DRIVER_OBJECT DriverObject) {
        UNICODE_STRING deviceName = new UNICODE_STRING();
        UNICODE_STRING linkName = new UNICODE_STRING();
        RtlInitUnicodeString(deviceName, DEVICE_NAME);
        RtlInitUnicodeString(linkName, LINK_NAME);
        Ref<DEVICE_OBJECT> device = new Ref<>();
        int status = IoCreateDevice(
                DriverObject, 0, deviceName, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE, device);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        deviceObject = device.value();
        status = IoCreateSymbolicLink(linkName, deviceName);
        if (!NT_SUCCESS(status)) {
            IoDeleteDevice(deviceObject);
            return status;
        }
        IoCsqInitialize(
                csq,
                this::CsqInsertIrp,
                this::CsqRemoveIrp,
                this::CsqPeekNextIrp,
                this::CsqAcquireLock,
                this::CsqReleaseLock,
                this::CsqCompleteCanceledIrp);
        DriverObject.MajorFunction[IRP_MJ_CREATE] = this::DispatchCreate;
        DriverObject.MajorFunction[IRP_MJ_CLEANUP] = this::DispatchCleanup;
        DriverObject.MajorFunction[IRP_MJ_CLOSE] = this::DispatchClose;
        DriverObject.MajorFunction[IRP_MJ_DEVICE_CONTROL] = this::DispatchDeviceControl;
        DriverObject.DriverUnload = this::DriverUnload;
        deviceObject.Flags &= ~DO_DEVICE_INITIALIZING;
        return STATUS_SUCCESS;
    }

    void DriverUnload(DRIVER_OBJECT DriverObject) {
        UNICODE_STRING linkName = new UNICODE_STRING();
        RtlInitUnicodeString(linkName, LINK_NAME);
        IoDeleteSymbolicLink(linkName);
        if (deviceObject != null) {
            IoDeleteDevice(deviceObject);
        }
    }

    int DispatchCreate(DEVICE_OBJECT DeviceObject, IRP Irp) {
        IoGetCurrentIrpStackLocation(Irp).FileObject.FsContext = "opened";
        if (bug == Bug.DELETE_DEVICE_ON_CREATE) {
            IoDeleteDevice(DeviceObject); // a handle is about to be open on it
        }
        return complete(Irp, STATUS_SUCCESS, 0);
    }

    int DispatchCleanup(DEVICE_OBJECT DeviceObject, IRP Irp) {
        cleanups++;
        return complete(Irp, STATUS_SUCCESS, 0);
    }

    int DispatchClose(DEVICE_OBJECT DeviceObject, IRP Irp) {
        closes++;
        return complete(Irp, STATUS_SUCCESS, 0);
    }

    int DispatchDeviceControl(DEVICE_OBJECT DeviceObject, IRP Irp) {
        IO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
        int inLength = irpSp.Parameters.DeviceIoControl.InputBufferLength;
        int outLength = irpSp.Parameters.DeviceIoControl.OutputBufferLength;
        switch (irpSp.Parameters.DeviceIoControl.IoControlCode) {
            case IOCTL_ECHO -> {
                if (outLength < inLength) {
                    return complete(Irp, STATUS_BUFFER_TOO_SMALL, 0);
                }
                // METHOD_BUFFERED: the input is already where the output goes
                if (bug == Bug.COMPLETE_ECHO_UNDER_LOCK) {
                    Ref<Integer> oldIrql = new Ref<>();
                    KeAcquireSpinLock(echoLock, oldIrql);
                    int status = complete(Irp, STATUS_SUCCESS, inLength);
                    KeReleaseSpinLock(echoLock, oldIrql.value());
                    return status;
                }
                int status = complete(Irp, STATUS_SUCCESS, inLength);
                if (bug == Bug.COMPLETE_ECHO_TWICE) {
                    IoCompleteRequest(Irp, IO_NO_INCREMENT);
                }
                if (bug == Bug.READ_BUFFER_AFTER_COMPLETION) {
                    Irp.AssociatedIrp.SystemBuffer();
                }
                return status;
            }
            case IOCTL_WAIT -> {
                if (bug == Bug.PEND_WAIT_WITHOUT_QUEUE) {
                    IoMarkIrpPending(Irp);
                    return STATUS_PENDING;
                }
                IoCsqInsertIrp(csq, Irp, null);
                if (takeWaitBeforeReturn) {
                    // What another thread may do between the insert and the return: take it to complete it soon.
                    takenOff = IoCsqRemoveNextIrp(csq, null);
                }
                return STATUS_PENDING;
            }
            case IOCTL_FIRE -> {
                IRP waiter = IoCsqRemoveNextIrp(csq, null);
                if (waiter == null) {
                    return complete(Irp, STATUS_DEVICE_NOT_READY, 0);
                }
                MemorySegment from = Irp.AssociatedIrp.SystemBuffer();
                MemorySegment to = waiter.AssociatedIrp.SystemBuffer();
                int length = Math.min(
                        inLength, IoGetCurrentIrpStackLocation(waiter).Parameters.DeviceIoControl.OutputBufferLength);
                RtlCopyMemory(to, from, length);
                complete(waiter, STATUS_SUCCESS, length);
                return complete(Irp, STATUS_SUCCESS, 0);
            }
            case IOCTL_FILL -> {
                MemorySegment input = Irp.AssociatedIrp.SystemBuffer();
                MemorySegment output = MmGetSystemAddressForMdlSafe(Irp.MdlAddress(), NormalPagePriority);
                for (int i = 0; i < outLength; i++) {
                    output.set(
                            java.lang.foreign.ValueLayout.JAVA_BYTE,
                            i,
                            input.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i % inLength));
                }
                return complete(Irp, STATUS_SUCCESS, outLength);
            }
            case IOCTL_REVERSE -> {
                MemorySegment input = irpSp.Parameters.DeviceIoControl.Type3InputBuffer();
                MemorySegment output = Irp.UserBuffer();
                for (int i = 0; i < inLength; i++) {
                    output.set(
                            java.lang.foreign.ValueLayout.JAVA_BYTE,
                            i,
                            input.get(java.lang.foreign.ValueLayout.JAVA_BYTE, inLength - 1 - i));
                }
                return complete(Irp, STATUS_SUCCESS, inLength);
            }
            default -> {
                return complete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
            }
        }
    }

    private static int complete(IRP Irp, int status, long information) {
        Irp.IoStatus.Status = status;
        Irp.IoStatus.Information = information;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }

    // ---- the cancel-safe queue's routines ----

    void CsqInsertIrp(IO_CSQ Csq, IRP Irp) {
        waiting.addLast(Irp);
    }

    void CsqRemoveIrp(IO_CSQ Csq, IRP Irp) {
        waiting.remove(Irp);
    }

    @Nullable
    IRP CsqPeekNextIrp(IO_CSQ Csq, @Nullable IRP Irp, @Nullable Object PeekContext) {
        Iterator<IRP> it = waiting.iterator();
        if (Irp != null) {
            while (it.hasNext() && it.next() != Irp) {
                // skip to the one after Irp
            }
        }
        return it.hasNext() ? it.next() : null;
    }

    void CsqAcquireLock(IO_CSQ Csq, Ref<Integer> Irql) {
        KeRaiseIrql(DISPATCH_LEVEL, Irql);
        waitingLock.lock();
    }

    void CsqReleaseLock(IO_CSQ Csq, int Irql) {
        waitingLock.unlock();
        KeLowerIrql(Irql);
    }

    void CsqCompleteCanceledIrp(IO_CSQ Csq, IRP Irp) {
        cancelled++;
        complete(Irp, STATUS_CANCELLED, 0);
    }

    int waitingCount() {
        return waiting.size();
    }
}
