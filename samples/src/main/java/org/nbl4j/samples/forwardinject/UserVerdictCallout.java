package org.nbl4j.samples.forwardinject;

import static org.nbl4j.samples.forwardinject.UserVerdictIoctl.*;
import static org.nbl4j.stack.ddk.Fwpsk.*;
import static org.nbl4j.stack.ddk.NdisH.*;
import static org.nbl4j.stack.ddk.Ntddk.*;
import static org.nbl4j.stack.ddk.Wdm.*;
import static org.nbl4j.stack.ddk.WdmIo.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ddk.DEVICE_OBJECT;
import org.nbl4j.stack.ddk.DRIVER_OBJECT;
import org.nbl4j.stack.ddk.FILE_OBJECT;
import org.nbl4j.stack.ddk.HANDLE;
import org.nbl4j.stack.ddk.IO_CSQ;
import org.nbl4j.stack.ddk.IO_STACK_LOCATION;
import org.nbl4j.stack.ddk.IRP;
import org.nbl4j.stack.ddk.KDPC;
import org.nbl4j.stack.ddk.KEVENT;
import org.nbl4j.stack.ddk.KSPIN_LOCK;
import org.nbl4j.stack.ddk.LIST_ENTRY;
import org.nbl4j.stack.ddk.PETHREAD;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.SystemIo;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ddk.UNICODE_STRING;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.InjectionHandle;

/**
 * Seed 000's deep clone used for what the seed says it is for: "to get clarification from a user-mode application".
 * A forward-layer callout driver (its filters and injection handle are {@link ForwardCalloutDriver}'s) with a control
 * device. Each forwarded unicast packet is deep-cloned and held, the original absorbed; the clones go to the
 * application through pended {@link UserVerdictIoctl#IOCTL_USERVERDICT_RECEIVE} requests kept in a cancel-safe queue
 * (the inverted call), as many per request as fit when several wait, or at most the number the request asks for (one
 * packet per IOCTL when it asks for one); the application answers per packet with
 * {@link UserVerdictIoctl#IOCTL_USERVERDICT_VERDICT}: permit (the clone is forward-injected), block (freed) or modify
 * (the new bytes copied into the clone, then injected). The injection's completion frees the clone.
 *
 * <p>An application that gives many verdicts can share a ring with the driver instead
 * ({@link UserVerdictIoctl#IOCTL_USERVERDICT_ATTACH_RING}): the output buffer of a request that stays pending, which
 * on Windows is the application's own memory mapped by the MDL. The delivery DPC puts packets in it and carries out
 * the verdicts the application wrote there, so a steady flow needs no IOCTL; {@link
 * UserVerdictIoctl#IOCTL_USERVERDICT_RING_WAIT} hands verdicts over and waits when the flow stops.
 *
 * <p>A held clone is never left to the verifier's held-clone watchdog: a system thread ticks every
 * {@value #TICK_MILLISECONDS} ms and gives the default verdict ({@code IOCTL_USERVERDICT_SET_DEFAULT}; permit after
 * {@value #DEFAULT_TIMEOUT_MILLISECONDS} ms unless the application sets another) to every packet that waited longer;
 * the handle's CLEANUP gives it to the packets handed to that handle (the application closed it or died); with no
 * handle open, or {@value #MAX_HELD_PACKETS} packets held already, packets are not taken at all and the default
 * applies to them at once. The timeout must stay below the clone budget of the stack ({@code --clone-budget}, 1 s by
 * default).
 *
 * <p>No record is allocated per packet, as in a C driver: the {@link HELD_PACKET} records are a table allocated once in
 * {@code DriverEntry}, on intrusive {@code LIST_ENTRY} lists (held, undelivered, free). A PacketId is a sequence number
 * shifted above the slot bits, or'ed with the record's slot, so a VERDICT finds its record by indexing the table and
 * refuses an id whose record holds another packet now (or none).
 */
public final class UserVerdictCallout extends ForwardCalloutDriver {
    /** How long a packet waits for its verdict unless the application sets another timeout. */
    public static final int DEFAULT_TIMEOUT_MILLISECONDS = 250;
    /** The timeout thread's period. */
    public static final int TICK_MILLISECONDS = 10;
    /**
     * The most packets held at once. Each held clone keeps its original's receive buffer (the original goes back to its
     * adapter when the clone is freed), so this stays well below a TUN queue's 256 receive NBLs.
     */
    public static final int MAX_HELD_PACKETS = 128;

    /**
     * The record table's size, a power of two (a PacketId's low bits index it): twice the held packets, because a
     * record goes back to the free list only once its verdict is carried out, while the packet stops counting as held
     * when it is taken off the held list. Without the second half, packets arriving while a VERDICT's packets are being
     * injected would find no record with fewer than {@value #MAX_HELD_PACKETS} held.
     */
    static final int PACKET_RECORDS = 2 * MAX_HELD_PACKETS;

    /** A PacketId's low bits: its record's slot in the table. */
    private static final int SLOT_BITS = Integer.numberOfTrailingZeros(PACKET_RECORDS);

    private static final int SLOT_MASK = PACKET_RECORDS - 1;

    private static final int MAX_TIMEOUT_MILLISECONDS = 60_000;
    /** {@code KeWaitForSingleObject}'s relative timeout of one tick, in 100 ns units. */
    private static final long TICK_TIMEOUT = -TICK_MILLISECONDS * 10_000L;

    private static final ValueLayout.OfInt ULONG = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort USHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong ULONG64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private @Nullable DRIVER_OBJECT gDriverObject;
    private @Nullable DEVICE_OBJECT gDeviceObject;

    /** Guards every field below up to the receive queue's. */
    private final KSPIN_LOCK gPacketLock = new KSPIN_LOCK();
    /**
     * The packet records, indexed by a PacketId's slot bits: the driver's nonpaged table, filled once in DriverEntry.
     */
    private final HELD_PACKET[] gPacketTable = new HELD_PACKET[PACKET_RECORDS];
    /** Every held packet ({@code HELD_PACKET.Link}), in the order taken (so also in {@code TakenTick} order). */
    private final LIST_ENTRY gHeldList = new LIST_ENTRY();

    private int gHeldCount;
    /** The held packets no RECEIVE request has got yet ({@code HELD_PACKET.UndeliveredLink}), oldest first. */
    private final LIST_ENTRY gUndeliveredList = new LIST_ENTRY();
    /** The records not in use ({@code HELD_PACKET.Link}), the one freed last first (its cache lines are warm). */
    private final LIST_ENTRY gFreeList = new LIST_ENTRY();

    private final long[] gStatistics = new long[STATISTICS_COUNT];
    /** The next PacketId's bits above the slot's; never 0, so no PacketId is 0. */
    private int gNextSequence = 1;

    private long gTick;
    private int gDefaultVerdict = USERVERDICT_PERMIT;
    private long gTimeoutTicks = ticks(DEFAULT_TIMEOUT_MILLISECONDS);
    /** Written under the lock; read without it by the classify as a hint (the decision is taken under the lock). */
    private volatile int gOpenHandles;

    private volatile boolean gUnloading;

    /** The pended RECEIVE requests, under their own lock (the queue's routines take it). */
    private final IO_CSQ gReceiveCsq = new IO_CSQ();

    private final KSPIN_LOCK gReceiveLock = new KSPIN_LOCK();

    /**
     * The ring area while an ATTACH_RING request is pending: its MDL's system address, the application's own buffer
     * (under the packet lock, as are the next four).
     */
    private @Nullable MemorySegment gRing;
    /** The handle the ring belongs to: packets put in the ring are handed to it. */
    private @Nullable FILE_OBJECT gRingFile;
    /** The pended ATTACH_RING request. */
    private @Nullable IRP gRingIrp;
    /** The packet descriptors written, the driver's copy (the application could overwrite the area's). */
    private int gRingPacketProduced;
    /** The verdict descriptors carried out, the driver's copy. */
    private int gRingVerdictConsumed;
    /** The ring's pended requests, ATTACH_RING and RING_WAIT, under the receive queue's lock. */
    private final IO_CSQ gRingCsq = new IO_CSQ();

    private final ArrayDeque<IRP> gRingRequests = new ArrayDeque<>();
    /** The PeekContext that takes only RING_WAIT requests off the ring's queue (a constant's address in C). */
    private static final Integer RING_WAITS = IOCTL_USERVERDICT_RING_WAIT;

    /** The driver: its callouts do not opt in to RSC (a held clone of a 64 KB super-packet is not what it is for). */
    public UserVerdictCallout() {
        super(0);
    }

    private final ArrayDeque<IRP> gPendingReceives = new ArrayDeque<>();
    /** Counted apart ({@code InterlockedIncrement64} in C): a cancel may complete while the packet lock is held. */
    private final AtomicLong gCancelledReceives = new AtomicLong();

    /**
     * Completes RECEIVE requests for the packets the classify took: queued on the receive thread, it runs once after
     * the whole receive indication (Windows runs a DPC when its processor leaves the current one), so a burst of
     * packets goes to the application in one completion instead of the first packet alone.
     */
    private final KDPC gDeliverDpc = new KDPC();

    private final KEVENT gStopEvent = new KEVENT();
    private @Nullable PETHREAD gTimeoutThread;

    /** Loads the driver as a host does: a driver object of its own, {@code engine} bound as the thread's WFP. */
    @Override
    public void load(FilterEngine engine) {
        SystemWfp.runDriverEntry(engine, () -> DriverEntry(new DRIVER_OBJECT(), null));
    }

    /** Unloads it as the I/O manager does, which reports any request still pending on its device afterwards. */
    @Override
    public void unload() {
        DRIVER_OBJECT driverObject = gDriverObject;
        if (driverObject != null) {
            SystemIo.unload(driverObject);
        }
    }

    /**
     * {@code DriverEntry}: the control device and its link, the cancel-safe queue, the dispatch table, the timeout
     * thread; then the callouts and filters (last, so that no packet comes before the rest is ready).
     */
    public int DriverEntry(DRIVER_OBJECT DriverObject, @Nullable String RegistryPath) {
        gDriverObject = DriverObject;
        KeInitializeSpinLock(gPacketLock);
        KeInitializeSpinLock(gReceiveLock);
        InitializeListHead(gHeldList);
        InitializeListHead(gUndeliveredList);
        InitializeListHead(gFreeList);
        for (int slot = 0; slot < PACKET_RECORDS; slot++) {
            HELD_PACKET packet = new HELD_PACKET(slot);
            gPacketTable[slot] = packet;
            InsertTailList(gFreeList, packet.Link);
        }
        KeInitializeEvent(gStopEvent, NotificationEvent, FALSE);
        KeInitializeDpc(gDeliverDpc, this::DeliverDpc, null);

        UNICODE_STRING deviceName = new UNICODE_STRING();
        UNICODE_STRING linkName = new UNICODE_STRING();
        RtlInitUnicodeString(deviceName, DEVICE_NAME);
        RtlInitUnicodeString(linkName, LINK_NAME);
        Ref<DEVICE_OBJECT> device = new Ref<>();
        int status = IoCreateDevice(
                DriverObject, 0, deviceName, FILE_DEVICE_NETWORK, FILE_DEVICE_SECURE_OPEN, FALSE, device);
        if (!NT_SUCCESS(status)) {
            return status;
        }
        DEVICE_OBJECT deviceObject = device.value();
        gDeviceObject = deviceObject;
        status = IoCreateSymbolicLink(linkName, deviceName);
        if (!NT_SUCCESS(status)) {
            IoDeleteDevice(deviceObject);
            return status;
        }
        for (IO_CSQ csq : new IO_CSQ[] {gReceiveCsq, gRingCsq}) {
            IoCsqInitialize(
                    csq,
                    this::CsqInsertIrp,
                    this::CsqRemoveIrp,
                    this::CsqPeekNextIrp,
                    this::CsqAcquireLock,
                    this::CsqReleaseLock,
                    this::CsqCompleteCanceledIrp);
        }
        DriverObject.MajorFunction[IRP_MJ_CREATE] = this::DispatchCreate;
        DriverObject.MajorFunction[IRP_MJ_CLEANUP] = this::DispatchCleanup;
        DriverObject.MajorFunction[IRP_MJ_CLOSE] = this::DispatchClose;
        DriverObject.MajorFunction[IRP_MJ_DEVICE_CONTROL] = this::DispatchDeviceControl;
        DriverObject.DriverUnload = this::DriverUnload;

        Ref<HANDLE> threadHandle = new Ref<>();
        status = PsCreateSystemThread(threadHandle, THREAD_ALL_ACCESS, null, null, null, this::TimeoutThread, null);
        if (NT_SUCCESS(status)) {
            Ref<PETHREAD> thread = new Ref<>();
            status = ObReferenceObjectByHandle(
                    threadHandle.value(), SYNCHRONIZE, PsThreadType, KernelMode, thread, null);
            gTimeoutThread = NT_SUCCESS(status) ? thread.value() : null;
            ZwClose(threadHandle.value());
        }
        if (NT_SUCCESS(status)) {
            status = super.DriverEntry(DriverObject, RegistryPath);
        }
        if (!NT_SUCCESS(status)) {
            StopTimeoutThread();
            IoDeleteSymbolicLink(linkName);
            IoDeleteDevice(deviceObject);
            return status;
        }
        deviceObject.Flags &= ~DO_DEVICE_INITIALIZING;
        return STATUS_SUCCESS;
    }

    /**
     * {@code DriverUnload}: no packet is taken from now on; the held ones get the default verdict; the timeout thread
     * stops; then the filters, callouts and injection handle go (which waits for the injections to complete), and the
     * device and its link last.
     */
    void DriverUnload(DRIVER_OBJECT DriverObject) {
        LIST_ENTRY left = new LIST_ENTRY();
        InitializeListHead(left);
        int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        gUnloading = true;
        int verdict = gDefaultVerdict;
        gStatistics[STATISTICS_DEFAULTED_ON_CLEANUP] += gHeldCount;
        while (!IsListEmpty(gHeldList)) {
            Unhold(CONTAINING_RECORD(gHeldList.Flink, HELD_PACKET.class), left);
        }
        KeReleaseSpinLock(gPacketLock, oldIrql);
        ApplyVerdicts(left, verdict, null);
        StopTimeoutThread();
        KeFlushQueuedDpcs(); // a DPC the last classify queued must not run after the device is gone
        DriverUnload();

        UNICODE_STRING linkName = new UNICODE_STRING();
        RtlInitUnicodeString(linkName, LINK_NAME);
        IoDeleteSymbolicLink(linkName);
        DEVICE_OBJECT deviceObject = gDeviceObject;
        if (deviceObject != null) {
            IoDeleteDevice(deviceObject);
            gDeviceObject = null;
        }
    }

    private void StopTimeoutThread() {
        PETHREAD thread = gTimeoutThread;
        if (thread != null) {
            KeSetEvent(gStopEvent, IO_NO_INCREMENT, FALSE);
            KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, null);
            ObDereferenceObject(thread);
            gTimeoutThread = null;
        }
    }

    // ---- the classify side (DISPATCH_LEVEL, on the receive thread) ----

    /**
     * Holds a deep clone of the packet for the application and absorbs the original; or, with no application or no
     * room, applies the default verdict to the original itself (not taken: it goes on; taken without a clone: dropped).
     */
    @Override
    protected boolean TakePacket(
            InjectionHandle injectionHandle,
            NetBufferList netBufferList,
            int addressFamily,
            int compartmentId,
            int interfaceIndex) {
        if (gOpenHandles == 0 || gUnloading) {
            return DefaultUnheld();
        }
        Ref<NetBufferList> clonedNetBufferList = new Ref<>();
        int status = FwpsAllocateDeepCloneNetBufferList0(netBufferList, null, null, clonedNetBufferList);
        NetBufferList clone = clonedNetBufferList.value();
        if (!NT_SUCCESS(status) || clone == null) {
            return DefaultUnheld();
        }
        int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        if (gOpenHandles == 0 || gUnloading || gHeldCount >= MAX_HELD_PACKETS || IsListEmpty(gFreeList)) {
            KeReleaseSpinLock(gPacketLock, oldIrql);
            FwpsFreeCloneNetBufferList0(clone, 0);
            return DefaultUnheld();
        }
        HELD_PACKET packet = CONTAINING_RECORD(RemoveHeadList(gFreeList), HELD_PACKET.class);
        packet.PacketId = gNextSequence << SLOT_BITS | packet.Slot;
        gNextSequence++;
        if (gNextSequence << SLOT_BITS == 0) {
            // The bits above the slot's are used up (2^24 - 1 sequence numbers): the sequence starts again. An id can
            // come back only as late as that.
            gNextSequence = 1;
        }
        packet.NetBufferList = clone;
        packet.AddressFamily = addressFamily;
        packet.CompartmentId = compartmentId;
        packet.InterfaceIndex = interfaceIndex;
        packet.TakenTick = gTick;
        packet.DeliveredTo = null;
        packet.Held = true;
        InsertTailList(gHeldList, packet.Link);
        InsertTailList(gUndeliveredList, packet.UndeliveredLink);
        gHeldCount++;
        gStatistics[STATISTICS_TAKEN]++;
        KeReleaseSpinLock(gPacketLock, oldIrql);
        KeInsertQueueDpc(gDeliverDpc, null, null);
        return true;
    }

    /** The DPC routine: hands what the classify took to the pended RECEIVE requests. */
    private void DeliverDpc(
            KDPC Dpc,
            @Nullable Object DeferredContext,
            @Nullable Object SystemArgument1,
            @Nullable Object SystemArgument2) {
        DeliverPackets();
    }

    /** The default verdict on a packet the driver does not hold: whether to absorb it (drop) or let it go on. */
    private boolean DefaultUnheld() {
        int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        gStatistics[STATISTICS_DEFAULTED_UNHELD]++;
        int verdict = gDefaultVerdict;
        KeReleaseSpinLock(gPacketLock, oldIrql);
        return verdict == USERVERDICT_BLOCK;
    }

    /**
     * Hands the packets no one has got yet to the application. With a ring attached: puts those that fit a frame in the
     * ring, wakes its RING_WAIT requests, and carries out the verdicts the application wrote there meanwhile (so a
     * steady flow of packets needs no IOCTL at all). Then completes pended RECEIVE requests with the rest, oldest
     * request first, each with as many as fit (every packet fits an empty buffer). A request is taken off its queue
     * only when there is a packet for it, and filled under the packet lock; the requests are completed after the lock
     * is released (IoCompleteRequest's remarks: never with a spin lock held, which can deadlock), so the classify and
     * the VERDICT dispatch never wait for a completion's hand-off to user mode.
     */
    private void DeliverPackets() {
        List<IRP> filled = new ArrayList<>();
        LIST_ENTRY decided = new LIST_ENTRY(); // on the stack in C
        InitializeListHead(decided);
        int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        MemorySegment ring = gRing;
        if (ring != null) {
            TakeRingVerdicts(ring, decided);
            if (PublishToRing(ring)) {
                for (IRP wait = IoCsqRemoveNextIrp(gRingCsq, RING_WAITS);
                        wait != null;
                        wait = IoCsqRemoveNextIrp(gRingCsq, RING_WAITS)) {
                    wait.IoStatus.Information = 0;
                    filled.add(wait);
                }
            }
        }
        while (!IsListEmpty(gUndeliveredList)) {
            IRP irp = IoCsqRemoveNextIrp(gReceiveCsq, null);
            if (irp == null) {
                break;
            }
            irp.IoStatus.Information = FillReceiveBuffer(irp);
            filled.add(irp);
        }
        int defaultVerdict = gDefaultVerdict;
        KeReleaseSpinLock(gPacketLock, oldIrql);
        for (IRP irp : filled) {
            CompleteRequest(irp, STATUS_SUCCESS, irp.IoStatus.Information);
        }
        ApplyVerdicts(decided, defaultVerdict, null);
    }

    /**
     * Puts the undelivered packets that fit a frame in the ring, while it has room (called with the packet lock held):
     * each packet's bytes in its record's frame, then its descriptor, then the produced count with release, so the
     * application sees whole packets. The application's consumed count is read once and trusted no further than to
     * bound the room. Returns whether any packet was put in.
     */
    private boolean PublishToRing(MemorySegment ring) {
        int consumed = ReadUInt32Acquire(ring, RING_PACKET_CONSUMED);
        int produced = gRingPacketProduced;
        LIST_ENTRY entry = gUndeliveredList.Flink;
        while (entry != gUndeliveredList && Integer.compareUnsigned(produced - consumed, RING_SLOTS) < 0) {
            HELD_PACKET packet = CONTAINING_RECORD(entry, HELD_PACKET.class);
            entry = entry.Flink; // before the packet leaves the list
            NetBuffer nb = NET_BUFFER_LIST_FIRST_NB(packet.NetBufferList);
            int length = NET_BUFFER_DATA_LENGTH(nb);
            if (length > RING_FRAME_LENGTH) {
                continue; // left to RECEIVE requests
            }
            MemorySegment data = NdisGetDataBuffer(nb, length, null, 1, 0);
            RtlCopyMemory(ring.asSlice(RingFrame(packet.PacketId), length), data, length);
            long descriptor = RING_PACKETS + (long) (produced & (RING_SLOTS - 1)) * 8;
            ring.set(ULONG, descriptor, packet.PacketId);
            ring.set(ULONG, descriptor + 4, length);
            produced++;
            RemoveEntryList(packet.UndeliveredLink);
            packet.DeliveredTo = gRingFile;
        }
        if (produced == gRingPacketProduced) {
            return false;
        }
        gRingPacketProduced = produced;
        WriteUInt32Release(ring, RING_PACKET_PRODUCED, produced);
        return true;
    }

    /**
     * Takes the verdicts the application wrote in the ring since the last call, as a VERDICT request's (called with the
     * packet lock held). A MODIFY's new bytes are copied into the clone here, under the lock: once the ATTACH_RING
     * request is cancelled the area is no longer the driver's to read.
     */
    private void TakeRingVerdicts(MemorySegment ring, LIST_ENTRY decided) {
        int produced = ReadUInt32Acquire(ring, RING_VERDICT_PRODUCED);
        int consumed = gRingVerdictConsumed;
        if (produced == consumed) {
            return;
        }
        if (Integer.compareUnsigned(produced - consumed, RING_SLOTS) > 0) {
            // The application wrote more than the ring holds: what it overwrote is lost, the newest are there.
            consumed = produced - RING_SLOTS;
        }
        for (; consumed != produced; consumed++) {
            long descriptor = RING_VERDICTS + (long) (consumed & (RING_SLOTS - 1)) * 8;
            int packetId = ring.get(ULONG, descriptor);
            int verdict = Short.toUnsignedInt(ring.get(USHORT, descriptor + 4));
            int length = Short.toUnsignedInt(ring.get(USHORT, descriptor + 6));
            HELD_PACKET packet = Decide(packetId, verdict, length, RING_FRAME_LENGTH, decided);
            if (packet != null && packet.Verdict == USERVERDICT_MODIFY) {
                MemorySegment data =
                        NdisGetDataBuffer(NET_BUFFER_LIST_FIRST_NB(packet.NetBufferList), length, null, 1, 0);
                RtlCopyMemory(data, ring.asSlice(RingFrame(packetId), length), length);
            }
        }
        gRingVerdictConsumed = consumed;
        WriteUInt32Release(ring, RING_VERDICT_CONSUMED, consumed);
    }

    /** Where a packet's frame starts in the ring area. */
    private static long RingFrame(int packetId) {
        return RING_FRAMES + (long) (packetId & (RING_SLOTS - 1)) * RING_FRAME_LENGTH;
    }

    /**
     * Copies undelivered packets into a RECEIVE request's output, at most the request's MaxPackets when it gives one
     * (called with the packet lock held).
     */
    private int FillReceiveBuffer(IRP Irp) {
        IO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
        int capacity = irpSp.Parameters.DeviceIoControl.OutputBufferLength;
        MemorySegment output = MmGetSystemAddressForMdlSafe(Irp.MdlAddress(), NormalPagePriority);
        MemorySegment options = Irp.AssociatedIrp.SystemBuffer();
        long maxPackets =
                irpSp.Parameters.DeviceIoControl.InputBufferLength == RECEIVE_OPTIONS_LENGTH && options != null
                        ? Integer.toUnsignedLong(options.get(ULONG, 0))
                        : 0;
        long left = maxPackets == 0 ? Long.MAX_VALUE : maxPackets;
        int used = 0;
        while (!IsListEmpty(gUndeliveredList) && left-- > 0) {
            HELD_PACKET packet = CONTAINING_RECORD(gUndeliveredList.Flink, HELD_PACKET.class);
            NetBuffer nb = NET_BUFFER_LIST_FIRST_NB(packet.NetBufferList);
            int length = NET_BUFFER_DATA_LENGTH(nb);
            if (used + RECEIVE_HEADER_LENGTH + length > capacity) {
                break;
            }
            // A deep clone's data is one contiguous buffer: this is a view, never a copy into storage.
            MemorySegment data = NdisGetDataBuffer(nb, length, null, 1, 0);
            output.set(ULONG, used, packet.PacketId);
            output.set(ULONG, used + 4, length);
            RtlCopyMemory(output.asSlice(used + RECEIVE_HEADER_LENGTH, length), data, length);
            used += RECEIVE_HEADER_LENGTH + length;
            RemoveEntryList(packet.UndeliveredLink);
            packet.DeliveredTo = irpSp.FileObject;
        }
        return used;
    }

    /**
     * Takes a held packet off the held list, and off the undelivered list if no RECEIVE request has got it yet (it
     * expired first, its handle was the last, or a VERDICT guessed its id), onto {@code decided}, a routine's local list
     * of packets whose verdict it carries out once the lock is released. A VERDICT naming it from now on is refused; its
     * record stays out of the free list until {@link #ApplyVerdicts} is done with it. Called with the packet lock held.
     */
    private void Unhold(HELD_PACKET packet, LIST_ENTRY decided) {
        RemoveEntryList(packet.Link);
        if (packet.DeliveredTo == null) {
            RemoveEntryList(packet.UndeliveredLink);
        }
        packet.Held = false;
        packet.Verdict = -1;
        gHeldCount--;
        InsertTailList(decided, packet.Link);
    }

    /**
     * Carries out the verdicts of the packets a routine took off the held list (with the packet lock released): each
     * packet's own, or {@code defaultVerdict} where it has none; a MODIFY's new bytes are in the VERDICT request's
     * {@code input}. Then gives their records back to the free list, under the lock. Not before: until ApplyVerdict has
     * sent the clone on its way, a record taken again would hand the next packet's clone to this verdict. Returns how
     * many verdicts were carried out as given (not the default).
     */
    private int ApplyVerdicts(LIST_ENTRY decided, int defaultVerdict, @Nullable MemorySegment input) {
        if (IsListEmpty(decided)) {
            return 0;
        }
        int applied = 0;
        for (LIST_ENTRY entry = decided.Flink; entry != decided; entry = entry.Flink) {
            HELD_PACKET packet = CONTAINING_RECORD(entry, HELD_PACKET.class);
            if (packet.Verdict < 0) {
                ApplyVerdict(packet, defaultVerdict);
                continue;
            }
            if (packet.Verdict == USERVERDICT_MODIFY && input != null) {
                // The deep clone's data is the driver's own: rewrite it in place.
                NetBuffer nb = NET_BUFFER_LIST_FIRST_NB(packet.NetBufferList);
                int length = NET_BUFFER_DATA_LENGTH(nb);
                MemorySegment data = NdisGetDataBuffer(nb, length, null, 1, 0);
                RtlCopyMemory(data, input.asSlice(packet.VerdictDataOffset, length), length);
            }
            ApplyVerdict(packet, packet.Verdict == USERVERDICT_BLOCK ? USERVERDICT_BLOCK : USERVERDICT_PERMIT);
            applied++;
        }
        int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        while (!IsListEmpty(decided)) {
            InsertHeadList(gFreeList, RemoveHeadList(decided));
        }
        KeReleaseSpinLock(gPacketLock, oldIrql);
        return applied;
    }

    /** Carries out a verdict on a packet off the held list; the clone is freed here or in the completion. */
    private void ApplyVerdict(HELD_PACKET packet, int verdict) {
        InjectionHandle injectionHandle = gInjectionHandle;
        if (verdict == USERVERDICT_BLOCK || injectionHandle == null) {
            FwpsFreeCloneNetBufferList0(packet.NetBufferList, 0);
            return;
        }
        InjectClone(
                injectionHandle,
                packet.NetBufferList,
                packet.AddressFamily,
                packet.CompartmentId,
                packet.InterfaceIndex);
    }

    // ---- the timeout thread (PASSIVE_LEVEL) ----

    /** Every tick, gives the default verdict to the packets that waited longer than the timeout; ends on the event. */
    private void TimeoutThread(@Nullable Object StartContext) {
        LIST_ENTRY expired = new LIST_ENTRY(); // on the thread's stack in C
        InitializeListHead(expired);
        while (KeWaitForSingleObject(gStopEvent, Executive, KernelMode, FALSE, TICK_TIMEOUT) == STATUS_TIMEOUT) {
            int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
            gTick++;
            while (!IsListEmpty(gHeldList)) {
                HELD_PACKET oldest = CONTAINING_RECORD(gHeldList.Flink, HELD_PACKET.class);
                if (gTick - oldest.TakenTick < gTimeoutTicks) {
                    break; // the rest were taken later
                }
                Unhold(oldest, expired);
                gStatistics[STATISTICS_DEFAULTED_ON_TIMEOUT]++;
            }
            int verdict = gDefaultVerdict;
            KeReleaseSpinLock(gPacketLock, oldIrql);
            ApplyVerdicts(expired, verdict, null);
        }
        PsTerminateSystemThread(STATUS_SUCCESS);
    }

    private static long ticks(int milliseconds) {
        return (milliseconds + TICK_MILLISECONDS - 1) / TICK_MILLISECONDS;
    }

    // ---- dispatch routines (PASSIVE_LEVEL, on the handle's thread) ----

    int DispatchCreate(DEVICE_OBJECT DeviceObject, IRP Irp) {
        int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        gOpenHandles++;
        KeReleaseSpinLock(gPacketLock, oldIrql);
        return CompleteRequest(Irp, STATUS_SUCCESS, 0);
    }

    /**
     * The handle is closing (its pending requests were cancelled already): the packets handed to it get the default
     * verdict, and when it was the last handle, every held packet does.
     */
    int DispatchCleanup(DEVICE_OBJECT DeviceObject, IRP Irp) {
        FILE_OBJECT fileObject = IoGetCurrentIrpStackLocation(Irp).FileObject;
        LIST_ENTRY orphans = new LIST_ENTRY();
        InitializeListHead(orphans);
        int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        gOpenHandles--;
        boolean last = gOpenHandles == 0;
        LIST_ENTRY entry = gHeldList.Flink;
        while (entry != gHeldList) {
            HELD_PACKET packet = CONTAINING_RECORD(entry, HELD_PACKET.class);
            entry = entry.Flink; // before Unhold moves the packet's link to the orphans
            if (last || packet.DeliveredTo == fileObject) {
                Unhold(packet, orphans);
                gStatistics[STATISTICS_DEFAULTED_ON_CLEANUP]++;
            }
        }
        int verdict = gDefaultVerdict;
        KeReleaseSpinLock(gPacketLock, oldIrql);
        ApplyVerdicts(orphans, verdict, null);
        return CompleteRequest(Irp, STATUS_SUCCESS, 0);
    }

    int DispatchClose(DEVICE_OBJECT DeviceObject, IRP Irp) {
        return CompleteRequest(Irp, STATUS_SUCCESS, 0);
    }

    int DispatchDeviceControl(DEVICE_OBJECT DeviceObject, IRP Irp) {
        IO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
        int inLength = irpSp.Parameters.DeviceIoControl.InputBufferLength;
        int outLength = irpSp.Parameters.DeviceIoControl.OutputBufferLength;
        switch (irpSp.Parameters.DeviceIoControl.IoControlCode) {
            case IOCTL_USERVERDICT_RECEIVE -> {
                if (outLength < RECEIVE_MINIMUM_LENGTH) {
                    return CompleteRequest(Irp, STATUS_BUFFER_TOO_SMALL, 0);
                }
                if (inLength != 0 && inLength != RECEIVE_OPTIONS_LENGTH) {
                    return CompleteRequest(Irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
                }
                IoCsqInsertIrp(gReceiveCsq, Irp, null);
                DeliverPackets();
                return STATUS_PENDING;
            }
            case IOCTL_USERVERDICT_VERDICT -> {
                return Verdicts(Irp, inLength);
            }
            case IOCTL_USERVERDICT_SET_DEFAULT -> {
                return SetDefault(Irp, inLength);
            }
            case IOCTL_USERVERDICT_QUERY_STATISTICS -> {
                return QueryStatistics(Irp, outLength);
            }
            case IOCTL_USERVERDICT_ATTACH_RING -> {
                return AttachRing(Irp, irpSp.FileObject, outLength);
            }
            case IOCTL_USERVERDICT_RING_WAIT -> {
                return RingWait(Irp, irpSp.FileObject);
            }
            default -> {
                return CompleteRequest(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
            }
        }
    }

    /**
     * IOCTL_USERVERDICT_VERDICT: takes each named packet off the lists, all under one acquisition of the packet lock,
     * then carries out the verdicts with the lock released. An id whose record is not held under that id (the packet
     * had its default or a verdict already, and the record may hold a newer packet now; or the id was never given) or a
     * MODIFY of another length is refused: the first gets nothing more, the second the default. A malformed record
     * ends the request with STATUS_INVALID_PARAMETER; the records before it still count. Information is the number of
     * verdicts carried out as given.
     */
    private int Verdicts(IRP Irp, int inLength) {
        MemorySegment input = Irp.AssociatedIrp.SystemBuffer();
        LIST_ENTRY decided = new LIST_ENTRY(); // on the stack in C
        InitializeListHead(decided);
        int status = STATUS_SUCCESS;
        int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        int offset = 0;
        while (offset < inLength) {
            if (input == null || inLength - offset < VERDICT_HEADER_LENGTH) {
                status = NtStatus.STATUS_INVALID_PARAMETER;
                break;
            }
            int packetId = input.get(ULONG, offset);
            int verdict = Short.toUnsignedInt(input.get(USHORT, offset + 4));
            int length = Short.toUnsignedInt(input.get(USHORT, offset + 6));
            int dataOffset = offset + VERDICT_HEADER_LENGTH;
            if (verdict > USERVERDICT_MODIFY || length > inLength - dataOffset) {
                status = NtStatus.STATUS_INVALID_PARAMETER;
                break;
            }
            offset = dataOffset + length;
            HELD_PACKET packet = Decide(packetId, verdict, length, Integer.MAX_VALUE, decided);
            if (packet != null) {
                packet.VerdictDataOffset = dataOffset;
            }
        }
        int defaultVerdict = gDefaultVerdict;
        KeReleaseSpinLock(gPacketLock, oldIrql);
        return CompleteRequest(Irp, status, ApplyVerdicts(decided, defaultVerdict, input));
    }

    /**
     * One verdict from the application, by the VERDICT request or the ring (called with the packet lock held): takes
     * the packet off the held lists onto {@code decided} with its verdict, and counts it. An id whose record is not
     * held under that id, or a verdict that is none, is refused and gets nothing (null is returned); a MODIFY of
     * another length than the packet's, or longer than {@code maxModifyLength}, takes the packet but gives it the
     * default.
     */
    private @Nullable HELD_PACKET Decide(
            int packetId, int verdict, int length, int maxModifyLength, LIST_ENTRY decided) {
        HELD_PACKET packet = gPacketTable[packetId & SLOT_MASK];
        if (!packet.Held || packet.PacketId != packetId || verdict > USERVERDICT_MODIFY) {
            gStatistics[STATISTICS_REFUSED_VERDICTS]++;
            return null;
        }
        Unhold(packet, decided);
        boolean refused = verdict == USERVERDICT_MODIFY
                && (length != NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(packet.NetBufferList))
                        || length > maxModifyLength);
        int counter = switch (verdict) {
            case USERVERDICT_PERMIT -> STATISTICS_PERMITTED;
            case USERVERDICT_BLOCK -> STATISTICS_BLOCKED;
            default -> STATISTICS_MODIFIED;
        };
        gStatistics[refused ? STATISTICS_REFUSED_VERDICTS : counter]++;
        packet.Verdict = refused ? -1 : verdict;
        return packet;
    }

    /**
     * IOCTL_USERVERDICT_ATTACH_RING: the request's output buffer becomes the ring, one at a time, for as long as the
     * request stays pending; its cancellation (CancelIoEx, or the handle closing) takes the ring away. The ring is set
     * before the request is queued, so that a cancellation at any point finds it to take away.
     */
    private int AttachRing(IRP Irp, FILE_OBJECT fileObject, int outLength) {
        if (outLength < RING_AREA_LENGTH) {
            return CompleteRequest(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        }
        MemorySegment ring = MmGetSystemAddressForMdlSafe(Irp.MdlAddress(), NormalPagePriority);
        if (ring == null) {
            return CompleteRequest(Irp, NtStatus.STATUS_INSUFFICIENT_RESOURCES, 0);
        }
        int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        if (gRing != null) {
            KeReleaseSpinLock(gPacketLock, oldIrql);
            return CompleteRequest(Irp, NtStatus.STATUS_DEVICE_BUSY, 0);
        }
        gRing = ring;
        gRingFile = fileObject;
        gRingIrp = Irp;
        gRingPacketProduced = 0;
        gRingVerdictConsumed = 0;
        WriteUInt32Release(ring, RING_PACKET_PRODUCED, 0);
        WriteUInt32Release(ring, RING_VERDICT_CONSUMED, 0);
        KeReleaseSpinLock(gPacketLock, oldIrql);
        IoCsqInsertIrp(gRingCsq, Irp, null);
        DeliverPackets(); // the packets that waited for an application
        return STATUS_PENDING;
    }

    /**
     * IOCTL_USERVERDICT_RING_WAIT, on the ring's handle: carries out the verdicts in the ring, then completes at once if
     * the application has packets to read, or stays pending until the next packet is put in the ring. The request is
     * queued before the ring is looked at again, so a packet put in between either is seen here or finds the request.
     */
    private int RingWait(IRP Irp, FILE_OBJECT fileObject) {
        int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        boolean ours = gRing != null && gRingFile == fileObject;
        KeReleaseSpinLock(gPacketLock, oldIrql);
        if (!ours) {
            return CompleteRequest(Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
        }
        IoCsqInsertIrp(gRingCsq, Irp, null);
        DeliverPackets();
        oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        MemorySegment ring = gRing;
        boolean unread = ring != null && ReadUInt32Acquire(ring, RING_PACKET_CONSUMED) != gRingPacketProduced;
        KeReleaseSpinLock(gPacketLock, oldIrql);
        if (unread) {
            for (IRP wait = IoCsqRemoveNextIrp(gRingCsq, RING_WAITS);
                    wait != null;
                    wait = IoCsqRemoveNextIrp(gRingCsq, RING_WAITS)) {
                CompleteRequest(wait, STATUS_SUCCESS, 0);
            }
        }
        return STATUS_PENDING;
    }

    /** IOCTL_USERVERDICT_SET_DEFAULT: the verdict packets get without an answer, and how long they wait for one. */
    private int SetDefault(IRP Irp, int inLength) {
        MemorySegment input = Irp.AssociatedIrp.SystemBuffer();
        if (input == null || inLength != SET_DEFAULT_LENGTH) {
            return CompleteRequest(Irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        int verdict = input.get(ULONG, 0);
        int timeout = input.get(ULONG, 4);
        if (verdict != USERVERDICT_PERMIT && verdict != USERVERDICT_BLOCK
                || timeout <= 0
                || timeout > MAX_TIMEOUT_MILLISECONDS) {
            return CompleteRequest(Irp, NtStatus.STATUS_INVALID_PARAMETER, 0);
        }
        int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        gDefaultVerdict = verdict;
        gTimeoutTicks = ticks(timeout);
        KeReleaseSpinLock(gPacketLock, oldIrql);
        return CompleteRequest(Irp, STATUS_SUCCESS, 0);
    }

    /** IOCTL_USERVERDICT_QUERY_STATISTICS: the counters, and what is held, pending and open now. */
    private int QueryStatistics(IRP Irp, int outLength) {
        int length = STATISTICS_COUNT * Long.BYTES;
        MemorySegment output = Irp.AssociatedIrp.SystemBuffer();
        if (output == null || outLength < length) {
            return CompleteRequest(Irp, STATUS_BUFFER_TOO_SMALL, 0);
        }
        int oldIrql = KeAcquireSpinLockRaiseToDpc(gReceiveLock);
        long pendingReceives = gPendingReceives.size();
        KeReleaseSpinLock(gReceiveLock, oldIrql);
        oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
        gStatistics[STATISTICS_CANCELLED_RECEIVES] = gCancelledReceives.get();
        gStatistics[STATISTICS_HELD] = gHeldCount;
        gStatistics[STATISTICS_PENDING_RECEIVES] = pendingReceives;
        gStatistics[STATISTICS_OPEN_HANDLES] = gOpenHandles;
        for (int i = 0; i < STATISTICS_COUNT; i++) {
            output.set(ULONG64, (long) i * Long.BYTES, gStatistics[i]);
        }
        KeReleaseSpinLock(gPacketLock, oldIrql);
        return CompleteRequest(Irp, STATUS_SUCCESS, length);
    }

    private static int CompleteRequest(IRP Irp, int status, long information) {
        Irp.IoStatus.Status = status;
        Irp.IoStatus.Information = information;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }

    // ---- the cancel-safe queue's routines ----

    // Both queues share the routines: Csq says which queue, PeekContext (a control code) which of its requests.

    private ArrayDeque<IRP> Requests(IO_CSQ Csq) {
        return Csq == gRingCsq ? gRingRequests : gPendingReceives;
    }

    void CsqInsertIrp(IO_CSQ Csq, IRP Irp) {
        Requests(Csq).addLast(Irp);
    }

    void CsqRemoveIrp(IO_CSQ Csq, IRP Irp) {
        Requests(Csq).remove(Irp);
    }

    @Nullable
    IRP CsqPeekNextIrp(IO_CSQ Csq, @Nullable IRP Irp, @Nullable Object PeekContext) {
        Iterator<IRP> it = Requests(Csq).iterator();
        if (Irp != null) {
            while (it.hasNext() && it.next() != Irp) {
                // up to Irp; the next one is the answer
            }
        }
        while (it.hasNext()) {
            IRP next = it.next();
            if (PeekContext == null
                    || IoGetCurrentIrpStackLocation(next).Parameters.DeviceIoControl.IoControlCode
                            == (Integer) PeekContext) {
                return next;
            }
        }
        return null;
    }

    void CsqAcquireLock(IO_CSQ Csq, Ref<Integer> Irql) {
        KeAcquireSpinLock(gReceiveLock, Irql);
    }

    void CsqReleaseLock(IO_CSQ Csq, int Irql) {
        KeReleaseSpinLock(gReceiveLock, Irql);
    }

    void CsqCompleteCanceledIrp(IO_CSQ Csq, IRP Irp) {
        if (Csq == gReceiveCsq) {
            gCancelledReceives.incrementAndGet();
        } else {
            // The ATTACH_RING request's end takes the ring away before its buffer goes back to the application.
            int oldIrql = KeAcquireSpinLockRaiseToDpc(gPacketLock);
            if (gRingIrp == Irp) {
                gRing = null;
                gRingFile = null;
                gRingIrp = null;
            }
            KeReleaseSpinLock(gPacketLock, oldIrql);
        }
        CompleteRequest(Irp, STATUS_CANCELLED, 0);
    }
}
