package org.nbl4j.samples.forwardinject;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ddk.FILE_OBJECT;
import org.nbl4j.stack.ddk.LIST_ENTRY;

/**
 * The user-verdict driver's record of one packet waiting for its verdict (its own structure, as a C driver declares
 * one): one slot of the driver's table, allocated once in {@code DriverEntry} and reused packet after packet, never
 * allocated per packet. While in use: the deep clone, what its forward injection needs, when it was taken, and the
 * handle it was handed to. A free record keeps its last packet's fields; nothing reads them until it is taken again.
 */
final class HELD_PACKET {
    /** Its index in the driver's table: the low bits of every PacketId it carries. */
    final int Slot;
    /**
     * Its link in the held list while held; then in the local list of the routine that took it off the held list to
     * carry out its verdict; then in the free list. A record is on one of the three at a time.
     */
    final LIST_ENTRY Link = new LIST_ENTRY(this);
    /** Its link in the undelivered list while it is held and no RECEIVE request has got it yet. */
    final LIST_ENTRY UndeliveredLink = new LIST_ENTRY(this);
    /** Whether it is on the held list: only then does a VERDICT naming its PacketId decide it. */
    boolean Held;
    /**
     * The id user mode names the packet by: a sequence number shifted above the slot bits, or'ed with {@link #Slot}
     * (never 0).
     */
    int PacketId;
    /** The deep clone; the original was absorbed. */
    NetBufferList NetBufferList;

    int AddressFamily;
    int CompartmentId;
    /** The egress interface the clone is injected on. */
    int InterfaceIndex;
    /** The timeout thread's tick when the packet was taken. */
    long TakenTick;
    /** The handle whose RECEIVE request got the packet; {@code NULL} while it waits for one. */
    @Nullable
    FILE_OBJECT DeliveredTo;
    /**
     * The verdict to carry out once off the held list: a VERDICT request's, or {@code -1} for the default (timeout,
     * cleanup, unload, or a refused MODIFY).
     */
    int Verdict;
    /** Where a MODIFY verdict's new bytes start in the VERDICT request's input. */
    int VerdictDataOffset;

    HELD_PACKET(int Slot) {
        this.Slot = Slot;
    }
}
