package org.nbl4j.samples.forwardinject;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ddk.FILE_OBJECT;

/**
 * The user-verdict driver's record of one packet waiting for its verdict (its own structure, as a C driver declares
 * one): the deep clone, what its forward injection needs, when it was taken, and the handle it was handed to.
 */
final class HELD_PACKET {
    /** The id user mode names the packet by. */
    final int PacketId;
    /** The deep clone; the original was absorbed. */
    final NetBufferList NetBufferList;

    final int AddressFamily;
    final int CompartmentId;
    /** The egress interface the clone is injected on. */
    final int InterfaceIndex;
    /** The timeout thread's tick when the packet was taken. */
    final long TakenTick;
    /** The handle whose RECEIVE request got the packet; {@code NULL} while it waits for one. */
    @Nullable
    FILE_OBJECT DeliveredTo;
    /** The verdict a VERDICT request gave, once taken off the lists; {@code -1} when refused (the default applies). */
    int Verdict;
    /** Where a MODIFY verdict's new bytes start in the VERDICT request's input. */
    int VerdictDataOffset;

    HELD_PACKET(
            int PacketId,
            NetBufferList NetBufferList,
            int AddressFamily,
            int CompartmentId,
            int InterfaceIndex,
            long TakenTick) {
        this.PacketId = PacketId;
        this.NetBufferList = NetBufferList;
        this.AddressFamily = AddressFamily;
        this.CompartmentId = CompartmentId;
        this.InterfaceIndex = InterfaceIndex;
        this.TakenTick = TakenTick;
    }
}
