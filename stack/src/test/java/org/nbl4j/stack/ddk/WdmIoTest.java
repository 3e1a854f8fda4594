package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.Fwpmk.STATUS_INVALID_DEVICE_STATE;
import static org.nbl4j.stack.ddk.Fwpsk.STATUS_SUCCESS;
import static org.nbl4j.stack.ddk.Ntddk.IO_NO_INCREMENT;
import static org.nbl4j.stack.ddk.WdmIo.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.device.DeviceRule;
import org.nbl4j.stack.device.FileObject;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.kernel.KernelRule;

/**
 * The I/O manager's DDIs through a ported control-device driver: user mode's requests (played here by the engine's
 * {@link FileObject}, which the io module's sockets drive) reach the dispatch table, pend in a cancel-safe queue,
 * complete with their output, and are cancelled when the handle closes. Each rule of {@link DeviceRule} is broken
 * once through the DDIs, and its report names the driver's line.
 */
class WdmIoTest {
    private Ndis ndis;
    private IoManager io;
    private SystemIo.Binding binding;
    private final DRIVER_OBJECT driverObject = new DRIVER_OBJECT();
    private final InvertedCallDriver driver = new InvertedCallDriver();

    /** What user mode got back for one request. */
    private record Result(int status, long information, byte[] output) {}

    @BeforeEach
    void load() {
        ndis = Ndis.createChecked(VerifierSettings.standard()
                .withPolicy(ViolationPolicy.COLLECT)
                .withDriverCode(InvertedCallDriver.class.getName(), WdmIoTest.class.getName()));
        io = new IoManager(ndis);
        binding = SystemIo.bind(io);
        assertEquals(STATUS_SUCCESS, driver.DriverEntry(driverObject));
    }

    @AfterEach
    void close() {
        binding.close();
        ndis.close();
        assertEquals(Irql.PASSIVE_LEVEL, Irql.current());
    }

    private FileObject open() {
        FileObject file = io.open("\\??\\invertedcall");
        assertNotNull(file, "the link opens its device, case-insensitively and through \\??\\");
        List<Result> created = new ArrayList<>();
        file.create(collect(created));
        assertEquals(STATUS_SUCCESS, created.getFirst().status());
        return file;
    }

    private static org.nbl4j.stack.device.IrpCompletion collect(List<Result> results) {
        return (status, information, output) -> results.add(new Result(status, information, output));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private List<Rule> rules() {
        return ndis.verifier().violations().stream().map(Violation::rule).toList();
    }

    private Violation only(DeviceRule rule) {
        List<Violation> violations = ndis.verifier().violations();
        assertEquals(List.of(rule), rules(), violations::toString);
        return violations.getFirst();
    }

    @Test
    @DisplayName("CTL_CODE packs device type, access, function and method as the C macro does")
    void ctlCode() {
        assertEquals(0x00222000, CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS));
        assertEquals(
                0x0022E00B, CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_NEITHER, FILE_READ_ACCESS | FILE_WRITE_ACCESS));
        assertEquals(
                List.of(
                        InvertedCallDriver.IOCTL_ECHO,
                        InvertedCallDriver.IOCTL_WAIT,
                        InvertedCallDriver.IOCTL_FIRE,
                        InvertedCallDriver.IOCTL_FILL,
                        InvertedCallDriver.IOCTL_REVERSE),
                List.of(
                        CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS),
                        CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_READ_ACCESS),
                        CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_WRITE_ACCESS),
                        CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_OUT_DIRECT, FILE_ANY_ACCESS),
                        CTL_CODE(FILE_DEVICE_UNKNOWN, 0x804, METHOD_NEITHER, FILE_ANY_ACCESS)),
                "the driver's literal codes are the CTL_CODEs they say");
        assertEquals(METHOD_OUT_DIRECT, METHOD_FROM_CTL_CODE(InvertedCallDriver.IOCTL_FILL));
        assertEquals(FILE_DEVICE_UNKNOWN, DEVICE_TYPE_FROM_CTL_CODE(InvertedCallDriver.IOCTL_FILL));
        assertEquals(0x0e, IRP_MJ_DEVICE_CONTROL);
        assertEquals(0x12, IRP_MJ_CLEANUP);
        assertEquals(0xC0000120, STATUS_CANCELLED);
    }

    @Test
    @DisplayName("METHOD_BUFFERED, METHOD_OUT_DIRECT and METHOD_NEITHER carry input and output as on Windows")
    void transferMethods() {
        FileObject file = open();
        assertEquals("opened", FILE_OBJECT.of(file).FsContext, "IRP_MJ_CREATE's FileObject is the handle's");
        List<Result> results = new ArrayList<>();
        file.deviceIoControl(InvertedCallDriver.IOCTL_ECHO, bytes("hello"), 16, collect(results));
        file.deviceIoControl(InvertedCallDriver.IOCTL_ECHO, bytes("hello"), 2, collect(results));
        file.deviceIoControl(InvertedCallDriver.IOCTL_FILL, bytes("ab"), 5, collect(results));
        file.deviceIoControl(InvertedCallDriver.IOCTL_REVERSE, bytes("abc"), 3, collect(results));
        file.deviceIoControl(0x1234, new byte[0], 0, collect(results));
        assertEquals(5, results.size());
        assertArrayEquals(bytes("hello"), results.get(0).output(), "only Information bytes come back");
        assertEquals(STATUS_BUFFER_TOO_SMALL, results.get(1).status());
        assertArrayEquals(bytes("ababa"), results.get(2).output(), "the MDL described the output buffer");
        assertArrayEquals(bytes("cba"), results.get(3).output());
        assertEquals(STATUS_INVALID_DEVICE_REQUEST, results.get(4).status());
        file.close();
        assertEquals(1, driver.cleanups);
        assertEquals(1, driver.closes);
        assertEquals(0, ndis.poolUsage().diff(IoManager.BUFFER_TAG), "every IRP buffer was freed");
        assertEquals(List.of(), rules());
    }

    @Test
    @DisplayName("the inverted call: a pended IOCTL_WAIT completes when IOCTL_FIRE comes, with its bytes")
    void invertedCall() {
        FileObject application = open();
        FileObject other = open();
        List<Result> waits = new ArrayList<>();
        application.deviceIoControl(InvertedCallDriver.IOCTL_WAIT, new byte[0], 8, collect(waits));
        application.deviceIoControl(InvertedCallDriver.IOCTL_WAIT, new byte[0], 8, collect(waits));
        assertEquals(List.of(), waits, "both wait");
        assertEquals(2, application.pendingIrps().size());
        List<Result> fired = new ArrayList<>();
        other.deviceIoControl(InvertedCallDriver.IOCTL_FIRE, bytes("verdict"), 0, collect(fired));
        assertEquals(STATUS_SUCCESS, fired.getFirst().status());
        assertEquals(1, waits.size());
        assertArrayEquals(bytes("verdict"), waits.getFirst().output());
        assertEquals(1, application.pendingIrps().size());
        application.close();
        other.close();
        assertEquals(2, waits.size());
        assertEquals(STATUS_CANCELLED, waits.get(1).status(), "closing the handle cancelled the one still waiting");
        assertEquals(1, driver.cancelled, "through the queue's cancel routine");
        assertEquals(2, driver.cleanups);
        assertEquals(0, SystemIo.unload(driverObject));
        assertEquals(List.of(), rules());
    }

    @Test
    @DisplayName("IRP_COMPLETED_TWICE: a second IoCompleteRequest is reported at the driver's line and changes nothing")
    void completedTwice() {
        FileObject file = open();
        driver.bug = InvertedCallDriver.Bug.COMPLETE_ECHO_TWICE;
        List<Result> results = new ArrayList<>();
        file.deviceIoControl(InvertedCallDriver.IOCTL_ECHO, bytes("x"), 1, collect(results));
        assertEquals(1, results.size(), "user mode heard of the IRP once");
        Violation violation = only(DeviceRule.IRP_COMPLETED_TWICE);
        assertTrue(
                violation.site().headline().startsWith("org.nbl4j.stack.ddk.InvertedCallDriver.DispatchDeviceControl")
                        && violation.site().headline().endsWith("calling WdmIo.IoCompleteRequest"),
                violation.site().headline());
        assertEquals(0x44, violation.bugcheck().code());
        file.close();
    }

    @Test
    @DisplayName(
            "IRP_COMPLETED_HOLDING_SPIN_LOCK: IoCompleteRequest under KeAcquireSpinLock is reported at the driver's"
                    + " line, naming the lock's acquire (IoCompleteRequest: never with a spin lock held)")
    void completedHoldingSpinLock() {
        FileObject file = open();
        driver.bug = InvertedCallDriver.Bug.COMPLETE_ECHO_UNDER_LOCK;
        List<Result> results = new ArrayList<>();
        file.deviceIoControl(InvertedCallDriver.IOCTL_ECHO, bytes("x"), 1, collect(results));
        assertEquals(1, results.size(), "the IRP still completed");
        assertEquals(STATUS_SUCCESS, results.getFirst().status());
        Violation violation = only(DeviceRule.IRP_COMPLETED_HOLDING_SPIN_LOCK);
        assertTrue(
                violation.site().headline().startsWith("org.nbl4j.stack.ddk.InvertedCallDriver.complete")
                        && violation.site().headline().endsWith("calling WdmIo.IoCompleteRequest"),
                violation.site().headline());
        assertTrue(
                violation.detail().contains("holding 1 spin lock(s), acquired by KeAcquireSpinLock"),
                violation.detail());
        driver.bug = InvertedCallDriver.Bug.NONE;
        file.deviceIoControl(InvertedCallDriver.IOCTL_ECHO, bytes("y"), 1, collect(results));
        assertEquals(1, rules().size(), "completing with no lock held is not reported");
        file.close();
    }

    @Test
    @DisplayName("IRP_PENDED_WITHOUT_CANCEL_ROUTINE: STATUS_PENDING for an IRP with no cancel routine and no queue")
    void pendedWithoutCancelRoutine() {
        FileObject file = open();
        driver.bug = InvertedCallDriver.Bug.PEND_WAIT_WITHOUT_QUEUE;
        file.deviceIoControl(InvertedCallDriver.IOCTL_WAIT, new byte[0], 8, (_, _, _) -> {});
        Violation violation = only(DeviceRule.IRP_PENDED_WITHOUT_CANCEL_ROUTINE);
        assertTrue(
                violation.site().headline().startsWith("org.nbl4j.stack.ddk.InvertedCallDriver.DispatchDeviceControl")
                        && violation.site().headline().endsWith("calling WdmIo.IoMarkIrpPending"),
                violation.site().headline());
        assertTrue(violation.detail().contains("IRP_MJ_DEVICE_CONTROL 0x226004"), violation.detail());
    }

    @Test
    @DisplayName("a pended IRP in a cancel-safe queue is not reported: the queue set its cancel routine")
    void queuedIrpIsNotReported() {
        FileObject file = open();
        file.deviceIoControl(InvertedCallDriver.IOCTL_WAIT, new byte[0], 8, (_, _, _) -> {});
        assertEquals(1, driver.waitingCount());
        assertEquals(List.of(), rules());
        file.close();
        assertEquals(0, driver.waitingCount());
    }

    @Test
    @DisplayName("an IRP another thread took off the cancel-safe queue before the routine returned is not reported")
    void irpTakenOffTheQueueIsNotReported() {
        FileObject file = open();
        driver.takeWaitBeforeReturn = true;
        List<Result> results = new ArrayList<>();
        file.deviceIoControl(InvertedCallDriver.IOCTL_WAIT, new byte[0], 8, collect(results));
        assertEquals(List.of(), rules(), "it was cancelable while queued; its taker completes it");
        assertEquals(List.of(), results);
        IRP taken = driver.takenOff;
        assertNotNull(taken);
        taken.IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(taken, IO_NO_INCREMENT);
        assertEquals(STATUS_SUCCESS, results.getFirst().status());
        file.close();
        assertEquals(List.of(), rules());
    }

    @Test
    @DisplayName("IRP_PENDING_AT_UNLOAD: an IRP still queued when DriverUnload returns, with the bugcheck 0xCE")
    void pendingAtUnload() {
        FileObject file = open();
        file.deviceIoControl(InvertedCallDriver.IOCTL_WAIT, new byte[0], 8, (_, _, _) -> {});
        assertEquals(1, SystemIo.unload(driverObject));
        List<Violation> violations = ndis.verifier().violations();
        // the unload also deleted the device under the open handle
        assertEquals(
                List.of(DeviceRule.DEVICE_DELETED_WITH_OPEN_HANDLES, DeviceRule.IRP_PENDING_AT_UNLOAD),
                rules(),
                violations::toString);
        assertEquals(0xCE, violations.get(1).bugcheck().code());
        file.close();
    }

    @Test
    @DisplayName("IRP_BUFFER_AFTER_COMPLETION: SystemBuffer read after IoCompleteRequest is NULL and reported")
    void bufferAfterCompletion() {
        FileObject file = open();
        driver.bug = InvertedCallDriver.Bug.READ_BUFFER_AFTER_COMPLETION;
        file.deviceIoControl(InvertedCallDriver.IOCTL_ECHO, bytes("x"), 1, (_, _, _) -> {});
        Violation violation = only(DeviceRule.IRP_BUFFER_AFTER_COMPLETION);
        assertTrue(
                violation.site().headline().startsWith("org.nbl4j.stack.ddk.InvertedCallDriver.DispatchDeviceControl")
                        && violation.site().headline().endsWith("calling IRP$ASSOCIATED_IRP.SystemBuffer"),
                violation.site().headline());
        file.close();
    }

    @Test
    @DisplayName("IRP_BUFFER_AFTER_COMPLETION: each IRP buffer accessor refuses after completion")
    void everyBufferAccessorChecks() {
        FileObject file = open();
        List<IRP> kept = new ArrayList<>();
        driverObject.MajorFunction[IRP_MJ_DEVICE_CONTROL] = (DeviceObject, Irp) -> {
            kept.add(Irp);
            Irp.IoStatus.Status = STATUS_SUCCESS;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            return STATUS_SUCCESS;
        };
        file.deviceIoControl(InvertedCallDriver.IOCTL_FILL, bytes("a"), 1, (_, _, _) -> {});
        file.deviceIoControl(InvertedCallDriver.IOCTL_REVERSE, bytes("a"), 1, (_, _, _) -> {});
        assertNull(kept.get(0).MdlAddress());
        assertNull(kept.get(1).UserBuffer());
        assertNull(IoGetCurrentIrpStackLocation(kept.get(1))
                .Parameters
                .DeviceIoControl
                .Type3InputBuffer());
        assertEquals(
                List.of(
                        DeviceRule.IRP_BUFFER_AFTER_COMPLETION,
                        DeviceRule.IRP_BUFFER_AFTER_COMPLETION,
                        DeviceRule.IRP_BUFFER_AFTER_COMPLETION),
                rules());
        file.close();
    }

    @Test
    @DisplayName("DEVICE_DELETED_WITH_OPEN_HANDLES: IoDeleteDevice under an open handle; CLEANUP and CLOSE still come")
    void deletedWithOpenHandles() {
        FileObject first = open();
        driver.bug = InvertedCallDriver.Bug.DELETE_DEVICE_ON_CREATE;
        FileObject second = io.open(InvertedCallDriver.LINK_NAME);
        assertNotNull(second);
        second.create((_, _, _) -> {});
        Violation violation = only(DeviceRule.DEVICE_DELETED_WITH_OPEN_HANDLES);
        assertTrue(
                violation.site().headline().startsWith("org.nbl4j.stack.ddk.InvertedCallDriver.DispatchCreate"),
                violation.site().headline());
        assertNull(io.open(InvertedCallDriver.LINK_NAME), "a deleted device opens no more");
        first.close();
        second.close();
        assertEquals(2, driver.closes);
    }

    @Test
    @DisplayName("IoSetCancelRoutine exchanges; IoCancelIrp calls the routine at DISPATCH_LEVEL under the cancel lock")
    void cancelRoutine() {
        FileObject file = open();
        List<Integer> levels = new ArrayList<>();
        List<DRIVER_CANCEL> previous = new ArrayList<>();
        DRIVER_CANCEL routine = (DeviceObject, Irp) -> {
            levels.add(Wdm.KeGetCurrentIrql());
            IoReleaseCancelSpinLock(Irp.CancelIrql());
            Irp.IoStatus.Status = STATUS_CANCELLED;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
        };
        List<IRP> pended = new ArrayList<>();
        driverObject.MajorFunction[IRP_MJ_DEVICE_CONTROL] = (DeviceObject, Irp) -> {
            previous.add(IoSetCancelRoutine(Irp, routine));
            IoMarkIrpPending(Irp);
            pended.add(Irp);
            return STATUS_PENDING;
        };
        List<Result> results = new ArrayList<>();
        file.deviceIoControl(InvertedCallDriver.IOCTL_WAIT, new byte[0], 0, collect(results));
        assertNull(previous.getFirst());
        assertTrue(pended.getFirst().PendingReturned());
        assertTrue(IoCancelIrp(pended.getFirst()));
        assertEquals(List.of(Wdm.DISPATCH_LEVEL), levels);
        assertEquals(STATUS_CANCELLED, results.getFirst().status());
        assertTrue(pended.getFirst().Cancel());
        assertEquals(List.of(), rules());
        file.close();
    }

    @Test
    @DisplayName(
            "IRQL_TOO_HIGH: IoCreateDevice and IoCreateSymbolicLink at DISPATCH_LEVEL, IoCompleteRequest at HIGH_LEVEL"
                    + " are refused and reported at the driver's line")
    void irqlRules() {
        List<Integer> statuses = new ArrayList<>();
        UNICODE_STRING name = new UNICODE_STRING();
        RtlInitUnicodeString(name, "\\Device\\Late");
        Ref<DEVICE_OBJECT> device = new Ref<>();
        Irql.runAt(Irql.DISPATCH_LEVEL, () -> {
            statuses.add(IoCreateDevice(new DRIVER_OBJECT(), 0, name, FILE_DEVICE_UNKNOWN, 0, false, device));
            statuses.add(IoCreateSymbolicLink(name, name));
        });
        assertEquals(List.of(STATUS_INVALID_DEVICE_STATE, STATUS_INVALID_DEVICE_STATE), statuses);
        assertNull(device.value());
        List<Violation> violations = ndis.verifier().violations();
        assertEquals(List.of(BufferRule.IRQL_TOO_HIGH, BufferRule.IRQL_TOO_HIGH), rules());
        assertTrue(violations.getFirst().detail().contains("IoCreateDevice requires IRQL == PASSIVE_LEVEL"));
        assertTrue(
                violations.getFirst().site().headline().startsWith("org.nbl4j.stack.ddk.WdmIoTest.lambda$irqlRules")
                        && violations.getFirst().site().headline().endsWith("calling WdmIo.IoCreateDevice"),
                violations.getFirst().site().headline());

        FileObject file = open();
        List<Result> results = new ArrayList<>();
        driverObject.MajorFunction[IRP_MJ_DEVICE_CONTROL] = (DeviceObject, Irp) -> {
            Irp.IoStatus.Status = STATUS_SUCCESS;
            Irql.runAt(Irql.HIGH_LEVEL, () -> IoCompleteRequest(Irp, IO_NO_INCREMENT));
            IoCompleteRequest(Irp, IO_NO_INCREMENT); // the refused call left it pending
            return STATUS_SUCCESS;
        };
        file.deviceIoControl(InvertedCallDriver.IOCTL_ECHO, bytes("x"), 1, collect(results));
        assertEquals(1, results.size(), "completed once, by the second call");
        assertEquals(List.of(BufferRule.IRQL_TOO_HIGH, BufferRule.IRQL_TOO_HIGH, BufferRule.IRQL_TOO_HIGH), rules());
        file.close();
    }

    @Test
    @DisplayName(
            "IRQL_TOO_HIGH: IoSetCancelRoutine and IoCsqInitialize above DISPATCH_LEVEL are refused; the cancel spin"
                    + " lock is a spin lock (acquired above DISPATCH_LEVEL, released by a thread that does not hold it)")
    void cancelDdisAboveDispatch() {
        FileObject file = open();
        List<DRIVER_CANCEL> exchanged = new ArrayList<>();
        List<IRP> pended = new ArrayList<>();
        DRIVER_CANCEL routine = (DeviceObject, Irp) -> {
            IoReleaseCancelSpinLock(Irp.CancelIrql());
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
        };
        driverObject.MajorFunction[IRP_MJ_DEVICE_CONTROL] = (DeviceObject, Irp) -> {
            Irql.runAt(Irql.HIGH_LEVEL, () -> exchanged.add(IoSetCancelRoutine(Irp, routine)));
            IoMarkIrpPending(Irp);
            pended.add(Irp);
            return STATUS_PENDING;
        };
        file.deviceIoControl(InvertedCallDriver.IOCTL_WAIT, new byte[0], 0, collect(new ArrayList<>()));
        assertNull(exchanged.getFirst());
        assertEquals(
                List.of(BufferRule.IRQL_TOO_HIGH, DeviceRule.IRP_PENDED_WITHOUT_CANCEL_ROUTINE),
                rules(),
                "the refused call set no cancel routine, so the pended IRP has none");
        assertTrue(ndis.verifier().violations().getFirst().detail().contains("IoSetCancelRoutine"));
        assertEquals(false, IoCancelIrp(pended.getFirst()), "the refused call set no routine to cancel with");
        pended.getFirst().IoStatus.Status = STATUS_CANCELLED;
        IoCompleteRequest(pended.getFirst(), IO_NO_INCREMENT);

        IO_CSQ csq = new IO_CSQ();
        List<Integer> statuses = new ArrayList<>();
        Irql.runAt(
                Irql.HIGH_LEVEL,
                () -> statuses.add(IoCsqInitialize(
                        csq,
                        (Csq, Irp) -> {},
                        (Csq, Irp) -> {},
                        (Csq, Irp, PeekContext) -> null,
                        (Csq, Irql) -> {},
                        (Csq, Irql) -> {},
                        (Csq, Irp) -> {})));
        assertEquals(List.of(STATUS_INVALID_DEVICE_STATE), statuses);
        assertTrue(ndis.verifier().violations().getLast().detail().contains("IoCsqInitialize"));

        Ref<Integer> level = new Ref<>();
        Irql.runAt(Irql.HIGH_LEVEL, () -> {
            IoAcquireCancelSpinLock(level);
            IoReleaseCancelSpinLock(level.value());
        });
        assertEquals(Wdm.HIGH_LEVEL, level.value());
        assertTrue(ndis.verifier().violations().get(3).detail().contains("IoAcquireCancelSpinLock"));
        Irql.runAt(Irql.DISPATCH_LEVEL, () -> IoReleaseCancelSpinLock(Wdm.DISPATCH_LEVEL));
        assertEquals(
                List.of(
                        BufferRule.IRQL_TOO_HIGH,
                        DeviceRule.IRP_PENDED_WITHOUT_CANCEL_ROUTINE,
                        BufferRule.IRQL_TOO_HIGH,
                        BufferRule.IRQL_TOO_HIGH,
                        KernelRule.SPIN_LOCK_WRONG_IRQL,
                        KernelRule.SPIN_LOCK_NOT_OWNED),
                rules());
        file.close();
    }
}
