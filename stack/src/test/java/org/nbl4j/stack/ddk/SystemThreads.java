package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.nbl4j.stack.ddk.Ntddk.Executive;
import static org.nbl4j.stack.ddk.Ntddk.KeWaitForSingleObject;
import static org.nbl4j.stack.ddk.Ntddk.KernelMode;
import static org.nbl4j.stack.ddk.Ntddk.ObDereferenceObject;
import static org.nbl4j.stack.ddk.Ntddk.ObReferenceObjectByHandle;
import static org.nbl4j.stack.ddk.Ntddk.PsCreateSystemThread;
import static org.nbl4j.stack.ddk.Ntddk.PsThreadType;
import static org.nbl4j.stack.ddk.Ntddk.SYNCHRONIZE;
import static org.nbl4j.stack.ddk.Ntddk.THREAD_ALL_ACCESS;
import static org.nbl4j.stack.ddk.Ntddk.ZwClose;
import static org.nbl4j.stack.ddk.Wdm.FALSE;

import java.time.Duration;
import org.nbl4j.core.status.NtStatus;

/**
 * What the tests of a system thread's start routine do around it, as a driver does: {@code PsCreateSystemThread},
 * {@code ObReferenceObjectByHandle} for the thread object, {@code ZwClose} of the handle, a wait (bounded) for the
 * thread to end, {@code ObDereferenceObject}. Each step must succeed.
 */
final class SystemThreads {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private SystemThreads() {}

    /** Starts {@code routine} on a system thread and returns its thread object once the thread has ended. */
    static PETHREAD runToEnd(KSTART_ROUTINE routine) {
        Ref<HANDLE> handle = new Ref<>();
        assertEquals(
                NtStatus.STATUS_SUCCESS,
                PsCreateSystemThread(handle, THREAD_ALL_ACCESS, null, null, null, routine, null));
        HANDLE threadHandle = handle.value();
        assertNotNull(threadHandle);
        Ref<PETHREAD> threadObject = new Ref<>();
        assertEquals(
                NtStatus.STATUS_SUCCESS,
                ObReferenceObjectByHandle(threadHandle, SYNCHRONIZE, PsThreadType, KernelMode, threadObject, null));
        assertEquals(NtStatus.STATUS_SUCCESS, ZwClose(threadHandle));
        PETHREAD thread = threadObject.value();
        assertNotNull(thread);
        assertEquals(
                NtStatus.STATUS_SUCCESS,
                KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, -PATIENCE.toNanos() / 100),
                "the thread ended");
        ObDereferenceObject(thread);
        return thread;
    }
}
