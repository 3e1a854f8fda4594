package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.Fwpsk.STATUS_SUCCESS;
import static org.nbl4j.stack.ddk.Wdf.*;
import static org.nbl4j.stack.ddk.WdfIo.*;
import static org.nbl4j.stack.ddk.Wdm.NT_SUCCESS;
import static org.nbl4j.stack.ddk.WdmIo.*;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.device.FileObject;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.device.IrpCompletion;

/**
 * The KMDF queue subset through a control-device driver written the KMDF way: a named control device and its link, a
 * parallel default queue whose {@code EvtIoDeviceControl} echoes, and forwards each wait to a manual queue, from which a
 * fire request retrieves the oldest. User mode is played by the I/O manager's handles, as the device sockets drive them.
 */
class WdfIoTest {
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)}. */
    static final int IOCTL_ECHO = 0x00222000;
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_READ_ACCESS)}. */
    static final int IOCTL_WAIT = 0x00226004;
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_WRITE_ACCESS)}. */
    static final int IOCTL_FIRE = 0x0022A008;
    /** {@code CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_OUT_DIRECT, FILE_ANY_ACCESS)}. */
    static final int IOCTL_FILL = 0x0022200E;

    private Ndis ndis;
    private IoManager io;
    private final List<AutoCloseable> bindings = new ArrayList<>();
    private final KmdfDoorbell driver = new KmdfDoorbell();

    /** What user mode got back for one request. */
    private record Result(int status, long information, byte[] output) {}

    /** The driver under test, as a KMDF callout driver writes its control device. */
    static final class KmdfDoorbell {
        @Nullable
        WDFDEVICE controlDevice;

        @Nullable
        WDFQUEUE waitQueue;

        int DriverEntry() {
            WDF_DRIVER_CONFIG config = new WDF_DRIVER_CONFIG();
            WDF_DRIVER_CONFIG_INIT(config, null);
            config.DriverInitFlags |= WdfDriverInitNonPnpDriver;
            Ref<WDFDRIVER> driver = new Ref<>();
            int status = WdfDriverCreate(null, null, WDF_NO_OBJECT_ATTRIBUTES, config, driver);
            if (!NT_SUCCESS(status)) {
                return status;
            }
            WDFDEVICE_INIT init = WdfControlDeviceInitAllocate(driver.value(), SDDL_DEVOBJ_KERNEL_ONLY);
            UNICODE_STRING deviceName = new UNICODE_STRING();
            RtlInitUnicodeString(deviceName, "\\Device\\KmdfDoorbell");
            status = WdfDeviceInitAssignName(init, deviceName);
            if (!NT_SUCCESS(status)) {
                WdfDeviceInitFree(init);
                return status;
            }
            Ref<WDFDEVICE_INIT> deviceInit = new Ref<>(init);
            Ref<WDFDEVICE> device = new Ref<>();
            status = WdfDeviceCreate(deviceInit, WDF_NO_OBJECT_ATTRIBUTES, device);
            if (!NT_SUCCESS(status)) {
                WdfDeviceInitFree(init);
                return status;
            }
            controlDevice = device.value();
            UNICODE_STRING linkName = new UNICODE_STRING();
            RtlInitUnicodeString(linkName, "\\DosDevices\\KmdfDoorbell");
            status = WdfDeviceCreateSymbolicLink(controlDevice, linkName);
            if (NT_SUCCESS(status)) {
                WDF_IO_QUEUE_CONFIG queueConfig = new WDF_IO_QUEUE_CONFIG();
                WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(queueConfig, WdfIoQueueDispatchParallel);
                queueConfig.EvtIoDeviceControl = this::EvtIoDeviceControl;
                status = WdfIoQueueCreate(controlDevice, queueConfig, WDF_NO_OBJECT_ATTRIBUTES, null);
            }
            if (NT_SUCCESS(status)) {
                WDF_IO_QUEUE_CONFIG queueConfig = new WDF_IO_QUEUE_CONFIG();
                WDF_IO_QUEUE_CONFIG_INIT(queueConfig, WdfIoQueueDispatchManual);
                Ref<WDFQUEUE> queue = new Ref<>();
                status = WdfIoQueueCreate(controlDevice, queueConfig, WDF_NO_OBJECT_ATTRIBUTES, queue);
                waitQueue = queue.value();
            }
            if (!NT_SUCCESS(status)) {
                WdfObjectDelete(controlDevice);
                return status;
            }
            WdfControlFinishInitializing(controlDevice);
            return STATUS_SUCCESS;
        }

        void EvtIoDeviceControl(
                WDFQUEUE Queue,
                WDFREQUEST Request,
                long OutputBufferLength,
                long InputBufferLength,
                int IoControlCode) {
            Ref<MemorySegment> input = new Ref<>();
            Ref<MemorySegment> output = new Ref<>();
            Ref<Long> length = new Ref<>();
            switch (IoControlCode) {
                case IOCTL_ECHO -> {
                    int status = WdfRequestRetrieveInputBuffer(Request, 1, input, length);
                    if (NT_SUCCESS(status)) {
                        status = WdfRequestRetrieveOutputBuffer(Request, length.value(), output, null);
                    }
                    if (!NT_SUCCESS(status)) {
                        WdfRequestComplete(Request, status);
                        return;
                    }
                    // METHOD_BUFFERED: input and output are one buffer, so the echo is already there.
                    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, length.value());
                }
                case IOCTL_WAIT -> {
                    int status = WdfRequestForwardToIoQueue(Request, waitQueue);
                    if (!NT_SUCCESS(status)) {
                        WdfRequestComplete(Request, status);
                    }
                }
                case IOCTL_FIRE -> {
                    Ref<WDFREQUEST> waiter = new Ref<>();
                    int status = WdfIoQueueRetrieveNextRequest(waitQueue, waiter);
                    if (!NT_SUCCESS(status)) {
                        WdfRequestComplete(Request, STATUS_DEVICE_NOT_READY);
                        return;
                    }
                    WdfRequestRetrieveInputBuffer(Request, 1, input, length);
                    WdfRequestRetrieveOutputBuffer(waiter.value(), length.value(), output, null);
                    MemorySegment.copy(input.value(), 0, output.value(), 0, length.value());
                    WdfRequestCompleteWithInformation(waiter.value(), STATUS_SUCCESS, length.value());
                    WdfRequestComplete(Request, STATUS_SUCCESS);
                }
                case IOCTL_FILL -> {
                    // METHOD_OUT_DIRECT: the output is the MDL, mapped by the framework.
                    WdfRequestRetrieveOutputBuffer(Request, 1, output, length);
                    output.value().fill((byte) 'k');
                    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, length.value());
                }
                default -> WdfRequestComplete(Request, STATUS_INVALID_DEVICE_REQUEST);
            }
        }

        void DriverUnload() {
            WdfObjectDelete(controlDevice);
        }
    }

    @BeforeEach
    void load() {
        ndis = Ndis.createChecked(VerifierSettings.standard()
                .withPolicy(ViolationPolicy.COLLECT)
                .withDriverCode(KmdfDoorbell.class.getName(), WdfIoTest.class.getName()));
        io = new IoManager(ndis);
        bindings.add(SystemNdis.bind(ndis));
        bindings.add(SystemIo.bind(io));
        assertEquals(STATUS_SUCCESS, driver.DriverEntry());
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable binding : bindings.reversed()) {
            binding.close();
        }
        ndis.close();
        assertEquals(Irql.PASSIVE_LEVEL, Irql.current());
    }

    private FileObject open() {
        FileObject file = io.open("\\DosDevices\\KmdfDoorbell");
        assertNotNull(file, "WdfDeviceCreateSymbolicLink made the link");
        List<Result> created = new ArrayList<>();
        file.create(collect(created));
        assertEquals(STATUS_SUCCESS, created.getFirst().status(), "the framework succeeds CREATE");
        return file;
    }

    private static IrpCompletion collect(List<Result> results) {
        return (status, information, output) -> results.add(new Result(status, information, output));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    @DisplayName("the parallel default queue presents each request; the buffers are the transfer method's")
    void parallelQueueAndBuffers() {
        FileObject file = open();
        List<Result> results = new ArrayList<>();
        file.deviceIoControl(IOCTL_ECHO, bytes("ring"), 16, collect(results));
        file.deviceIoControl(IOCTL_ECHO, new byte[0], 16, collect(results));
        file.deviceIoControl(IOCTL_FILL, bytes("x"), 3, collect(results));
        file.deviceIoControl(0x00222FFC, bytes("x"), 0, collect(results));

        assertEquals(STATUS_SUCCESS, results.get(0).status());
        assertArrayEquals(bytes("ring"), results.get(0).output());
        assertEquals(STATUS_BUFFER_TOO_SMALL, results.get(1).status(), "no input: WdfRequestRetrieveInputBuffer fails");
        assertArrayEquals(bytes("kkk"), results.get(2).output(), "the OUT_DIRECT MDL, mapped");
        assertEquals(STATUS_INVALID_DEVICE_REQUEST, results.get(3).status());
        file.close();
        driver.DriverUnload();
        assertEquals(List.of(), ndis.verifier().violations());
        assertNull(io.open("\\DosDevices\\KmdfDoorbell"), "WdfObjectDelete took the link and the device");
    }

    @Test
    @DisplayName("forwarded waits stay in the manual queue until a fire retrieves the oldest")
    void manualQueueInvertedCall() {
        FileObject file = open();
        List<Result> waits = new ArrayList<>();
        file.deviceIoControl(IOCTL_WAIT, new byte[0], 8, collect(waits));
        file.deviceIoControl(IOCTL_WAIT, new byte[0], 8, collect(waits));
        assertEquals(List.of(), waits, "both pending");
        List<Result> fires = new ArrayList<>();
        file.deviceIoControl(IOCTL_FIRE, bytes("first"), 0, collect(fires));
        assertEquals(1, waits.size());
        assertArrayEquals(bytes("first"), waits.getFirst().output());
        file.deviceIoControl(IOCTL_FIRE, bytes("second"), 0, collect(fires));
        file.deviceIoControl(IOCTL_FIRE, bytes("third"), 0, collect(fires));
        assertEquals(
                List.of(STATUS_SUCCESS, STATUS_SUCCESS, STATUS_DEVICE_NOT_READY),
                fires.stream().map(Result::status).toList(),
                "the third finds the manual queue empty");
        assertArrayEquals(bytes("second"), waits.get(1).output());
        file.close();
        driver.DriverUnload();
        assertEquals(List.of(), ndis.verifier().violations());
    }

    @Test
    @DisplayName("closing the handle cancels the requests waiting in the manual queue")
    void closingCancelsQueuedRequests() {
        FileObject file = open();
        List<Result> waits = new ArrayList<>();
        file.deviceIoControl(IOCTL_WAIT, new byte[0], 8, collect(waits));
        file.deviceIoControl(IOCTL_WAIT, new byte[0], 8, collect(waits));
        file.close();
        assertEquals(
                List.of(NtStatus.STATUS_CANCELLED, NtStatus.STATUS_CANCELLED),
                waits.stream().map(Result::status).toList());
        Ref<WDFREQUEST> none = new Ref<>();
        assertEquals(STATUS_NO_MORE_ENTRIES, WdfIoQueueRetrieveNextRequest(driver.waitQueue, none));
        driver.DriverUnload();
        assertEquals(List.of(), ndis.verifier().violations());
    }

    @Test
    @DisplayName("a request completed twice through WdfRequestComplete is IRP_COMPLETED_TWICE")
    void completedTwice() {
        FileObject file = open();
        List<Result> waits = new ArrayList<>();
        file.deviceIoControl(IOCTL_WAIT, new byte[0], 8, collect(waits));
        Ref<WDFREQUEST> waiter = new Ref<>();
        assertEquals(STATUS_SUCCESS, WdfIoQueueRetrieveNextRequest(driver.waitQueue, waiter));
        WdfRequestComplete(waiter.value(), STATUS_SUCCESS);
        WdfRequestComplete(waiter.value(), STATUS_SUCCESS);
        List<Violation> violations = ndis.verifier().violations();
        assertEquals(1, violations.size(), violations::toString);
        assertEquals(
                org.nbl4j.stack.device.DeviceRule.IRP_COMPLETED_TWICE,
                violations.getFirst().rule());
        assertTrue(violations.getFirst().site().toString().contains("WdfIoTest.completedTwice"), violations::toString);
        file.close();
        driver.DriverUnload();
    }

    @Test
    @DisplayName("the queue DDIs check their IRQL rule: above DISPATCH_LEVEL the call is refused and reported")
    void irqlRules() {
        FileObject file = open();
        List<Result> waits = new ArrayList<>();
        file.deviceIoControl(IOCTL_WAIT, new byte[0], 8, collect(waits));
        Ref<WDFREQUEST> waiter = new Ref<>();
        Irql.runAt(Irql.HIGH_LEVEL, () -> {
            assertEquals(NtStatus.STATUS_INVALID_DEVICE_STATE, WdfIoQueueRetrieveNextRequest(driver.waitQueue, waiter));
        });
        assertEquals(1, ndis.verifier().violations().size());
        assertEquals(
                BufferRule.IRQL_TOO_HIGH,
                ndis.verifier().violations().getFirst().rule());
        assertEquals(List.of(), waits, "the request is still queued");
        file.close();
        driver.DriverUnload();
    }
}
