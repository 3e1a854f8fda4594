package org.nbl4j.io.device;

import static org.nbl4j.stack.ddk.Fwpsk.STATUS_SUCCESS;
import static org.nbl4j.stack.ddk.Ntddk.*;
import static org.nbl4j.stack.ddk.Wdm.*;
import static org.nbl4j.stack.ddk.WdmIo.*;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import org.nbl4j.stack.ddk.DEVICE_OBJECT;
import org.nbl4j.stack.ddk.DRIVER_OBJECT;
import org.nbl4j.stack.ddk.IO_STACK_LOCATION;
import org.nbl4j.stack.ddk.IRP;
import org.nbl4j.stack.ddk.KEVENT;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.UNICODE_STRING;

/**
 * A control-device driver in the classic pre-CSQ style: IOCTL_WAIT requests wait in a list guarded by the cancel spin
 * lock with a cancel routine each, IOCTL_RING completes the oldest with its input, IOCTL_ECHO answers at once. What
 * the socket tests drive from user mode.
 */
final class DoorbellDriver {
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    static final int IOCTL_ECHO = 0x00222400;
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x901, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    static final int IOCTL_WAIT = 0x00222404;
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x902, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    static final int IOCTL_RING = 0x00222408;
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x903, METHOD_BUFFERED, FILE_ANY_ACCESS)}: the dispatch routine's bug. */
    static final int IOCTL_CRASH = 0x0022240C;

    /**
     * {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x904, METHOD_BUFFERED, FILE_ANY_ACCESS)}: the dispatch routine waits up to
     * {@value #AWAIT_RING_SECONDS} s for the next IOCTL_RING and completes with STATUS_SUCCESS if it came, STATUS_TIMEOUT
     * if not.
     */
    static final int IOCTL_AWAIT_RING = 0x00222410;

    static final int AWAIT_RING_SECONDS = 5;

    static final String LINK_NAME = "\\DosDevices\\Doorbell";

    private final ArrayDeque<IRP> waiting = new ArrayDeque<>();
    volatile int cleanups;
    volatile int closes;
    volatile int cancelled;
    private DEVICE_OBJECT device;
    private final KEVENT rung = new KEVENT();

    int DriverEntry(DRIVER_OBJECT DriverObject) {
        UNICODE_STRING deviceName = new UNICODE_STRING();
        UNICODE_STRING linkName = new UNICODE_STRING();
        RtlInitUnicodeString(deviceName, "\\Device\\Doorbell");
        RtlInitUnicodeString(linkName, LINK_NAME);
        Ref<DEVICE_OBJECT> created = new Ref<>();
        int status = IoCreateDevice(DriverObject, 0, deviceName, FILE_DEVICE_UNKNOWN, 0, FALSE, created);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        device = created.value();
        KeInitializeEvent(rung, SynchronizationEvent, FALSE);
        status = IoCreateSymbolicLink(linkName, deviceName);
        if (!NT_SUCCESS(status)) {
            IoDeleteDevice(device);
            return status;
        }
        DriverObject.MajorFunction[IRP_MJ_CREATE] = (DeviceObject, Irp) -> complete(Irp, STATUS_SUCCESS, 0);
        DriverObject.MajorFunction[IRP_MJ_CLEANUP] = (DeviceObject, Irp) -> {
            cleanups++;
            return complete(Irp, STATUS_SUCCESS, 0);
        };
        DriverObject.MajorFunction[IRP_MJ_CLOSE] = (DeviceObject, Irp) -> {
            closes++;
            return complete(Irp, STATUS_SUCCESS, 0);
        };
        DriverObject.MajorFunction[IRP_MJ_DEVICE_CONTROL] = this::DispatchDeviceControl;
        DriverObject.DriverUnload = this::DriverUnload;
        return STATUS_SUCCESS;
    }

    void DriverUnload(DRIVER_OBJECT DriverObject) {
        UNICODE_STRING linkName = new UNICODE_STRING();
        RtlInitUnicodeString(linkName, LINK_NAME);
        IoDeleteSymbolicLink(linkName);
        IoDeleteDevice(device);
    }

    private int DispatchDeviceControl(DEVICE_OBJECT DeviceObject, IRP Irp) {
        IO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
        int inLength = irpSp.Parameters.DeviceIoControl.InputBufferLength;
        switch (irpSp.Parameters.DeviceIoControl.IoControlCode) {
            case IOCTL_ECHO -> {
                return complete(
                        Irp, STATUS_SUCCESS, Math.min(inLength, irpSp.Parameters.DeviceIoControl.OutputBufferLength));
            }
            case IOCTL_WAIT -> {
                Ref<Integer> irql = new Ref<>();
                IoAcquireCancelSpinLock(irql);
                if (Irp.Cancel()) {
                    IoReleaseCancelSpinLock(irql.value());
                    return complete(Irp, STATUS_CANCELLED, 0);
                }
                IoMarkIrpPending(Irp);
                IoSetCancelRoutine(Irp, this::CancelWait);
                waiting.addLast(Irp);
                IoReleaseCancelSpinLock(irql.value());
                return STATUS_PENDING;
            }
            case IOCTL_CRASH -> {
                Object missing = null;
                return missing.hashCode(); // the driver's bug
            }
            case IOCTL_AWAIT_RING -> {
                int waited =
                        KeWaitForSingleObject(rung, Executive, KernelMode, FALSE, -AWAIT_RING_SECONDS * 10_000_000L);
                return complete(Irp, waited == STATUS_TIMEOUT ? STATUS_TIMEOUT : STATUS_SUCCESS, 0);
            }
            case IOCTL_RING -> {
                KeSetEvent(rung, IO_NO_INCREMENT, FALSE);
                Ref<Integer> irql = new Ref<>();
                IoAcquireCancelSpinLock(irql);
                IRP waiter = waiting.pollFirst();
                if (waiter != null) {
                    IoSetCancelRoutine(waiter, null);
                }
                IoReleaseCancelSpinLock(irql.value());
                if (waiter == null) {
                    return complete(Irp, STATUS_DEVICE_NOT_READY, 0);
                }
                int length = Math.min(
                        inLength, IoGetCurrentIrpStackLocation(waiter).Parameters.DeviceIoControl.OutputBufferLength);
                MemorySegment to = waiter.AssociatedIrp.SystemBuffer();
                RtlCopyMemory(to, Irp.AssociatedIrp.SystemBuffer(), length);
                complete(waiter, STATUS_SUCCESS, length);
                return complete(Irp, STATUS_SUCCESS, 0);
            }
            default -> {
                return complete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
            }
        }
    }

    private void CancelWait(DEVICE_OBJECT DeviceObject, IRP Irp) {
        waiting.remove(Irp);
        IoReleaseCancelSpinLock(Irp.CancelIrql());
        cancelled++;
        complete(Irp, STATUS_CANCELLED, 0);
    }

    private static int complete(IRP Irp, int status, long information) {
        Irp.IoStatus.Status = status;
        Irp.IoStatus.Information = information;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
}
