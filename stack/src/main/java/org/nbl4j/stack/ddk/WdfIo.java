package org.nbl4j.stack.ddk;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.stack.device.FrameworkQueue;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.device.Irp;

/**
 * The KMDF queue subset a callout driver's control device uses for the inverted call ({@code wdfdevice.h},
 * {@code wdfio.h}, {@code wdfrequest.h}): naming the control device and its link, a parallel default queue whose
 * {@code EvtIoDeviceControl} sees each request, a manual queue where requests wait cancelably, forwarding between them,
 * the request's buffers and its completion. Requests are the I/O manager's IRPs (docs/devices.md); the queues are
 * {@link FrameworkQueue}s. Sequential queues are not modelled ({@code WdfIoQueueCreate} says
 * {@code STATUS_NOT_SUPPORTED}).
 */
public final class WdfIo {
    private WdfIo() {}

    /** {@code WdfIoQueueDispatchSequential}: not modelled. */
    public static final int WdfIoQueueDispatchSequential = 1;
    /** {@code WdfIoQueueDispatchParallel}. */
    public static final int WdfIoQueueDispatchParallel = 2;
    /** {@code WdfIoQueueDispatchManual}. */
    public static final int WdfIoQueueDispatchManual = 3;
    /** {@code WdfUseDefault} ({@code WDF_TRI_STATE}). */
    public static final int WdfUseDefault = 2;
    /** {@code STATUS_NO_MORE_ENTRIES}: a manual queue with no request. */
    public static final int STATUS_NO_MORE_ENTRIES = NtStatus.STATUS_NO_MORE_ENTRIES;

    /** {@code WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&Config, DispatchType)}: the device's default queue. */
    public static void WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(WDF_IO_QUEUE_CONFIG Config, int DispatchType) {
        WDF_IO_QUEUE_CONFIG_INIT(Config, DispatchType);
        Config.DefaultQueue = true;
    }

    /** {@code WDF_IO_QUEUE_CONFIG_INIT(&Config, DispatchType)}: a queue that gets only what is forwarded to it. */
    public static void WDF_IO_QUEUE_CONFIG_INIT(WDF_IO_QUEUE_CONFIG Config, int DispatchType) {
        Config.DispatchType = DispatchType;
        Config.PowerManaged = WdfUseDefault;
        Config.DefaultQueue = false;
        Config.EvtIoDeviceControl = null;
    }

    /**
     * {@code WdfDeviceInitAssignName(DeviceInit, &DeviceName)}: the device will be one of the I/O manager's, under
     * that name. Refused above PASSIVE_LEVEL ({@code STATUS_INVALID_DEVICE_STATE}).
     */
    public static int WdfDeviceInitAssignName(WDFDEVICE_INIT DeviceInit, @Nullable UNICODE_STRING DeviceName) {
        if (!SystemNdis.verifier().irqlAtMost(Irql.PASSIVE_LEVEL, "WdfDeviceInitAssignName", "wdfdevice")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        DeviceInit.name = DeviceName == null ? null : DeviceName.Buffer;
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code WdfDeviceCreateSymbolicLink(Device, &SymbolicLinkName)}: a link to a named device, deleted with it. Refused
     * above PASSIVE_LEVEL.
     *
     * @return {@code STATUS_SUCCESS}, {@code STATUS_INVALID_DEVICE_REQUEST} for an unnamed device, or what
     *     {@code IoCreateSymbolicLink} returns
     */
    public static int WdfDeviceCreateSymbolicLink(WDFDEVICE Device, UNICODE_STRING SymbolicLinkName) {
        IoManager io = Device.io;
        String deviceName = Device.name;
        if (io == null || deviceName == null) {
            return NtStatus.STATUS_INVALID_DEVICE_REQUEST;
        }
        if (SymbolicLinkName.Buffer == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!io.irqlAtMost(Irql.PASSIVE_LEVEL, "WdfDeviceCreateSymbolicLink")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        int status = io.createSymbolicLink(SymbolicLinkName.Buffer, deviceName);
        if (NtStatus.isSuccess(status)) {
            Device.symbolicLink = SymbolicLinkName.Buffer;
        }
        return status;
    }

    /**
     * {@code WdfIoQueueCreate(Device, &Config, QueueAttributes, &Queue)}: a parallel queue (with
     * {@code EvtIoDeviceControl}) or a manual one, of a named device; with {@code DefaultQueue}, the device's requests
     * go to it. Refused above DISPATCH_LEVEL.
     *
     * @return {@code STATUS_SUCCESS}; {@code STATUS_INVALID_PARAMETER} for a parallel queue without a callback, a
     *     second default queue or an unnamed device; {@code STATUS_NOT_SUPPORTED} for a sequential queue
     */
    public static int WdfIoQueueCreate(
            WDFDEVICE Device,
            WDF_IO_QUEUE_CONFIG Config,
            @Nullable Object QueueAttributes,
            @Nullable Ref<WDFQUEUE> Queue) {
        IoManager io = Device.io;
        if (io == null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        if (!io.irqlAtMost(Irql.DISPATCH_LEVEL, "WdfIoQueueCreate")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL callback = Config.EvtIoDeviceControl;
        FrameworkQueue.DispatchType type;
        switch (Config.DispatchType) {
            case WdfIoQueueDispatchParallel -> type = FrameworkQueue.DispatchType.PARALLEL;
            case WdfIoQueueDispatchManual -> type = FrameworkQueue.DispatchType.MANUAL;
            case WdfIoQueueDispatchSequential -> {
                return NtStatus.STATUS_NOT_SUPPORTED;
            }
            default -> {
                return NtStatus.STATUS_INVALID_PARAMETER;
            }
        }
        if (type == FrameworkQueue.DispatchType.PARALLEL && callback == null
                || Config.DefaultQueue && Device.defaultQueue != null) {
            return NtStatus.STATUS_INVALID_PARAMETER;
        }
        FrameworkQueue.RequestHandler handler = callback == null
                ? null
                : (queue, irp) -> callback.call(
                        WDFQUEUE.of(queue),
                        WDFREQUEST.of(IRP.of(irp)),
                        irp.outputBufferLength(),
                        irp.inputBufferLength(),
                        irp.ioControlCode());
        WDFQUEUE created = new WDFQUEUE(new FrameworkQueue(io, type, handler), Device);
        if (Config.DefaultQueue) {
            Device.defaultQueue = created;
        }
        if (Queue != null) {
            Queue.set(created);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code WdfIoQueueRetrieveNextRequest(Queue, &OutRequest)}: the oldest request of a manual queue.
     *
     * @return {@code STATUS_SUCCESS}, {@code STATUS_NO_MORE_ENTRIES} when none waits, {@code STATUS_INVALID_DEVICE_REQUEST}
     *     for a parallel queue, {@code STATUS_INVALID_DEVICE_STATE} when refused above DISPATCH_LEVEL
     */
    public static int WdfIoQueueRetrieveNextRequest(WDFQUEUE Queue, Ref<WDFREQUEST> OutRequest) {
        OutRequest.set(null);
        if (!io(Queue).irqlAtMost(Irql.DISPATCH_LEVEL, "WdfIoQueueRetrieveNextRequest")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        if (Queue.queue.dispatchType() != FrameworkQueue.DispatchType.MANUAL) {
            return NtStatus.STATUS_INVALID_DEVICE_REQUEST;
        }
        Irp irp = Queue.queue.retrieveNext();
        if (irp == null) {
            return STATUS_NO_MORE_ENTRIES;
        }
        OutRequest.set(WDFREQUEST.of(IRP.of(irp)));
        return NtStatus.STATUS_SUCCESS;
    }

    /**
     * {@code WdfRequestForwardToIoQueue(Request, DestinationQueue)}: the request goes to another queue of the same
     * device, as if it had just arrived there. Refused above DISPATCH_LEVEL.
     */
    public static int WdfRequestForwardToIoQueue(WDFREQUEST Request, WDFQUEUE DestinationQueue) {
        if (!io(DestinationQueue).irqlAtMost(Irql.DISPATCH_LEVEL, "WdfRequestForwardToIoQueue")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        Irp irp = Request.irp.irp;
        if (irp.device() != DestinationQueue.device.deviceObject.device()) {
            return NtStatus.STATUS_INVALID_DEVICE_REQUEST;
        }
        DestinationQueue.queue.deliver(irp);
        return NtStatus.STATUS_SUCCESS;
    }

    /** {@code WdfRequestComplete(Request, Status)}: completes with no output ({@code Information} 0). */
    public static void WdfRequestComplete(WDFREQUEST Request, int Status) {
        WdfRequestCompleteWithInformation(Request, Status, 0);
    }

    /**
     * {@code WdfRequestCompleteWithInformation(Request, Status, Information)}: the request and its buffers are the
     * I/O manager's from here on; a second completion is {@code IRP_COMPLETED_TWICE}. Refused above DISPATCH_LEVEL.
     */
    public static void WdfRequestCompleteWithInformation(WDFREQUEST Request, int Status, long Information) {
        if (!SystemIo.current().irqlAtMost(Irql.DISPATCH_LEVEL, "WdfRequestCompleteWithInformation")) {
            return;
        }
        Request.irp.irp.complete(Status, Information);
    }

    /**
     * {@code WdfRequestRetrieveInputBuffer(Request, MinimumRequiredSize, &Buffer, &Length)}: the input buffer of any
     * transfer method (METHOD_NEITHER's raw input as well). Refused above DISPATCH_LEVEL.
     *
     * @return {@code STATUS_SUCCESS}, or {@code STATUS_BUFFER_TOO_SMALL} when there is no input or less than
     *     {@code MinimumRequiredSize} bytes of it
     */
    public static int WdfRequestRetrieveInputBuffer(
            WDFREQUEST Request, long MinimumRequiredSize, Ref<MemorySegment> Buffer, @Nullable Ref<Long> Length) {
        Buffer.set(null);
        if (!SystemIo.current().irqlAtMost(Irql.DISPATCH_LEVEL, "WdfRequestRetrieveInputBuffer")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        Irp irp = Request.irp.irp;
        int length = irp.inputBufferLength();
        if (length == 0 || length < MinimumRequiredSize) {
            return WdmIo.STATUS_BUFFER_TOO_SMALL;
        }
        MemorySegment input = WdmIo.METHOD_FROM_CTL_CODE(irp.ioControlCode()) == WdmIo.METHOD_NEITHER
                ? irp.type3InputBuffer("WdfRequestRetrieveInputBuffer")
                : irp.systemBuffer("WdfRequestRetrieveInputBuffer");
        return found(input, length, Buffer, Length);
    }

    /**
     * {@code WdfRequestRetrieveOutputBuffer(Request, MinimumRequiredSize, &Buffer, &Length)}: the output buffer of any
     * transfer method (the system buffer, the direct methods' MDL mapped, METHOD_NEITHER's user buffer). Refused above
     * DISPATCH_LEVEL.
     *
     * @return as {@link #WdfRequestRetrieveInputBuffer}, for the output
     */
    public static int WdfRequestRetrieveOutputBuffer(
            WDFREQUEST Request, long MinimumRequiredSize, Ref<MemorySegment> Buffer, @Nullable Ref<Long> Length) {
        Buffer.set(null);
        if (!SystemIo.current().irqlAtMost(Irql.DISPATCH_LEVEL, "WdfRequestRetrieveOutputBuffer")) {
            return NtStatus.STATUS_INVALID_DEVICE_STATE;
        }
        Irp irp = Request.irp.irp;
        int length = irp.outputBufferLength();
        if (length == 0 || length < MinimumRequiredSize) {
            return WdmIo.STATUS_BUFFER_TOO_SMALL;
        }
        String ddi = "WdfRequestRetrieveOutputBuffer";
        MemorySegment output = switch (WdmIo.METHOD_FROM_CTL_CODE(irp.ioControlCode())) {
            case WdmIo.METHOD_BUFFERED -> irp.systemBuffer(ddi);
            case WdmIo.METHOD_NEITHER -> irp.userBuffer(ddi);
            default -> {
                org.nbl4j.core.memory.Mdl mdl = irp.mdlAddress(ddi);
                yield mdl == null ? null : Wdm.MmGetSystemAddressForMdlSafe(mdl, Wdm.NormalPagePriority);
            }
        };
        return found(output, length, Buffer, Length);
    }

    private static int found(
            @Nullable MemorySegment segment, int length, Ref<MemorySegment> Buffer, @Nullable Ref<Long> Length) {
        if (segment == null) {
            return WdmIo.STATUS_BUFFER_TOO_SMALL; // read after completion: the verifier reported it
        }
        Buffer.set(segment.asSlice(0, length));
        if (Length != null) {
            Length.set((long) length);
        }
        return NtStatus.STATUS_SUCCESS;
    }

    private static IoManager io(WDFQUEUE queue) {
        return java.util.Objects.requireNonNull(queue.device.io);
    }
}
