package org.nbl4j.io.device;

import static org.nbl4j.stack.ddk.Fwpsk.STATUS_SUCCESS;
import static org.nbl4j.stack.ddk.Ntddk.*;
import static org.nbl4j.stack.ddk.Wdm.*;
import static org.nbl4j.stack.ddk.WdmIo.*;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.ddk.DEVICE_OBJECT;
import org.nbl4j.stack.ddk.DRIVER_OBJECT;
import org.nbl4j.stack.ddk.IO_STACK_LOCATION;
import org.nbl4j.stack.ddk.IRP;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.UNICODE_STRING;

/**
 * A driver that shares a ring with its application the way high-rate drivers do: the application parks a long
 * METHOD_OUT_DIRECT IOCTL (IOCTL_PARK) whose output buffer is the ring, and the driver writes into the IRP's MDL while
 * it stays pending (IOCTL_WRITE), completing it only when told (IOCTL_RELEASE) or cancelled. It also fills output
 * buffers through METHOD_BUFFERED and METHOD_NEITHER. What the mapped-buffer tests drive over a device socket.
 */
final class RingDriver {
    /**
     * {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x910, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)}: writes the input at the start of
     * the MDL's buffer and pends.
     */
    static final int IOCTL_PARK = 0x00222442;
    /**
     * {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x911, METHOD_BUFFERED, FILE_ANY_ACCESS)}: appends the input to the parked
     * IRP's MDL buffer, which stays pending.
     */
    static final int IOCTL_WRITE = 0x00222444;
    /**
     * {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x912, METHOD_BUFFERED, FILE_ANY_ACCESS)}: appends the input to the oldest
     * parked IRP, or the oldest whose cancel was put off, and completes it with Information the bytes written.
     */
    static final int IOCTL_RELEASE = 0x00222448;
    /**
     * {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x913, METHOD_BUFFERED, FILE_ANY_ACCESS)}: fills the whole system buffer with
     * the input repeated and completes with Information the input's length.
     */
    static final int IOCTL_FILL_BUFFERED = 0x0022244C;
    /**
     * {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x914, METHOD_NEITHER, FILE_ANY_ACCESS)}: copies the Type3InputBuffer into the
     * UserBuffer.
     */
    static final int IOCTL_FILL_NEITHER = 0x00222453;

    static final String LINK_NAME = "\\DosDevices\\Ring";

    /** What the cancel routine writes into a parked IRP's buffer before it completes it. */
    static final byte CANCEL_MARK = 'C';

    /** The parked IRPs, guarded by the cancel spin lock. */
    private final ArrayDeque<IRP> parked = new ArrayDeque<>();
    /** Parked IRPs whose cancel routine ran and left their completion to IOCTL_RELEASE, guarded the same way. */
    private final ArrayDeque<IRP> cancelPutOff = new ArrayDeque<>();
    /** How many bytes were written into the oldest parked IRP's buffer. */
    private int written;

    /** The cancel routine leaves the IRP for IOCTL_RELEASE instead of completing it. */
    volatile boolean putOffCancel;

    volatile int deviceControls;
    volatile int cancelled;
    private DEVICE_OBJECT device;

    int DriverEntry(DRIVER_OBJECT DriverObject) {
        UNICODE_STRING deviceName = new UNICODE_STRING();
        UNICODE_STRING linkName = new UNICODE_STRING();
        RtlInitUnicodeString(deviceName, "\\Device\\Ring");
        RtlInitUnicodeString(linkName, LINK_NAME);
        Ref<DEVICE_OBJECT> created = new Ref<>();
        int status = IoCreateDevice(DriverObject, 0, deviceName, FILE_DEVICE_UNKNOWN, 0, FALSE, created);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        device = created.value();
        status = IoCreateSymbolicLink(linkName, deviceName);
        if (!NT_SUCCESS(status)) {
            IoDeleteDevice(device);
            return status;
        }
        DriverObject.MajorFunction[IRP_MJ_CREATE] = (DeviceObject, Irp) -> complete(Irp, STATUS_SUCCESS, 0);
        DriverObject.MajorFunction[IRP_MJ_CLEANUP] = (DeviceObject, Irp) -> complete(Irp, STATUS_SUCCESS, 0);
        DriverObject.MajorFunction[IRP_MJ_CLOSE] = (DeviceObject, Irp) -> complete(Irp, STATUS_SUCCESS, 0);
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
        deviceControls++;
        IO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
        int inLength = irpSp.Parameters.DeviceIoControl.InputBufferLength;
        int outLength = irpSp.Parameters.DeviceIoControl.OutputBufferLength;
        switch (irpSp.Parameters.DeviceIoControl.IoControlCode) {
            case IOCTL_PARK -> {
                MemorySegment ring = MmGetSystemAddressForMdlSafe(Irp.MdlAddress(), NormalPagePriority);
                RtlCopyMemory(ring, Irp.AssociatedIrp.SystemBuffer(), inLength);
                Ref<Integer> irql = new Ref<>();
                IoAcquireCancelSpinLock(irql);
                IoMarkIrpPending(Irp);
                IoSetCancelRoutine(Irp, this::CancelPark);
                parked.addLast(Irp);
                written = inLength;
                IoReleaseCancelSpinLock(irql.value());
                return STATUS_PENDING;
            }
            case IOCTL_WRITE -> {
                Ref<Integer> irql = new Ref<>();
                IoAcquireCancelSpinLock(irql);
                IRP ring = parked.peekFirst();
                if (ring != null) {
                    append(ring, Irp.AssociatedIrp.SystemBuffer(), inLength);
                }
                IoReleaseCancelSpinLock(irql.value());
                return complete(Irp, ring == null ? STATUS_DEVICE_NOT_READY : STATUS_SUCCESS, 0);
            }
            case IOCTL_RELEASE -> {
                Ref<Integer> irql = new Ref<>();
                IoAcquireCancelSpinLock(irql);
                IRP ring = parked.pollFirst();
                if (ring != null) {
                    IoSetCancelRoutine(ring, null);
                } else {
                    ring = cancelPutOff.pollFirst();
                }
                IoReleaseCancelSpinLock(irql.value());
                if (ring == null) {
                    return complete(Irp, STATUS_DEVICE_NOT_READY, 0);
                }
                append(ring, Irp.AssociatedIrp.SystemBuffer(), inLength);
                complete(ring, ring.Cancel() ? STATUS_CANCELLED : STATUS_SUCCESS, written);
                return complete(Irp, STATUS_SUCCESS, 0);
            }
            case IOCTL_FILL_BUFFERED -> {
                MemorySegment buffer = Irp.AssociatedIrp.SystemBuffer();
                byte[] input = buffer.asSlice(0, inLength).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                for (int i = 0; i < outLength; i++) {
                    buffer.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, input[i % inLength]);
                }
                return complete(Irp, STATUS_SUCCESS, inLength);
            }
            case IOCTL_FILL_NEITHER -> {
                if (inLength > 0) {
                    RtlCopyMemory(Irp.UserBuffer(), irpSp.Parameters.DeviceIoControl.Type3InputBuffer(), inLength);
                }
                return complete(Irp, STATUS_SUCCESS, inLength);
            }
            default -> {
                return complete(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
            }
        }
    }

    /** Writes {@code length} bytes of {@code from} after what the parked {@code ring} holds already. */
    private void append(IRP ring, @Nullable MemorySegment from, int length) {
        if (length == 0) {
            return;
        }
        MemorySegment to = MmGetSystemAddressForMdlSafe(ring.MdlAddress(), NormalPagePriority);
        RtlCopyMemory(to.asSlice(written), from, length);
        written += length;
    }

    private void CancelPark(DEVICE_OBJECT DeviceObject, IRP Irp) {
        parked.remove(Irp);
        cancelled++;
        if (putOffCancel) {
            cancelPutOff.addLast(Irp);
            IoReleaseCancelSpinLock(Irp.CancelIrql());
            return;
        }
        // the IRP is not completed yet: its MDL still maps the caller's buffer
        MemorySegment ring = MmGetSystemAddressForMdlSafe(Irp.MdlAddress(), NormalPagePriority);
        ring.set(java.lang.foreign.ValueLayout.JAVA_BYTE, written, CANCEL_MARK);
        IoReleaseCancelSpinLock(Irp.CancelIrql());
        complete(Irp, STATUS_CANCELLED, written + 1);
    }

    private static int complete(IRP Irp, int status, long information) {
        Irp.IoStatus.Status = status;
        Irp.IoStatus.Information = information;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
}
