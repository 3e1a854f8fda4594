package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.nbl4j.core.buffer.Packets.chain;
import static org.nbl4j.core.buffer.Packets.chainBytes;
import static org.nbl4j.core.buffer.Packets.freeNb;
import static org.nbl4j.core.buffer.Packets.seq;

import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

/** NdisCopyFromNetBufferToNetBuffer (§3.8). */
class CopyTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private final Ndis ndis = verification.create(VerifierSettings.full());
    private final NetBufferPool pool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("CpNb"), 0));

    private NetBuffer nb(Mdl chain, int dataOffset, int dataLength) {
        NetBuffer nb = pool.allocateNetBuffer(chain, dataOffset, dataLength);
        assertNotNull(nb);
        return nb;
    }

    @Test
    @DisplayName("§3.8: offsets are relative to each NB's data start; the bytes are copied across MDL boundaries")
    void copiesFromDataStartToDataStart() {
        Mdl sourceChain = chain(ndis, 0x10, 5, 5, 10);
        NetBuffer source = nb(sourceChain, 3, 15);
        Mdl destChain = chain(ndis, 0, 8, 8);
        NetBuffer dest = nb(destChain, 2, 14);

        int copied = NetBuffer.copy(dest, 1, 9, source, 2);

        assertEquals(9, copied);
        byte[] expected = seq(0, 16);
        System.arraycopy(seq(0x10 + 3 + 2, 9), 0, expected, 2 + 1, 9);
        assertArrayEquals(expected, chainBytes(destChain));
        freeNb(ndis, source, sourceChain);
        freeNb(ndis, dest, destChain);
    }

    @Test
    @DisplayName("§3.8/§12.5: bounded by the MDL-chain ends, NOT by DataLength — a copy can fill the tail slack")
    void writesIntoTailSlack() {
        Mdl sourceChain = chain(ndis, 0x40, 16);
        NetBuffer source = nb(sourceChain, 0, 16);
        Mdl destChain = chain(ndis, 0, 32);
        NetBuffer dest = nb(destChain, 0, 4);

        int copied = NetBuffer.copy(dest, 0, 16, source, 0);

        assertEquals(16, copied, "12 of the bytes lie beyond Dest.DataLength");
        assertArrayEquals(seq(0x40, 16), Arrays.copyOfRange(chainBytes(destChain), 0, 16));
        assertEquals(4, dest.dataLength(), "the caller updates Dest's fields afterwards");
        assertEquals(0, dest.dataOffset());
        assertSame(destChain, dest.currentMdl());
        freeNb(ndis, source, sourceChain);
        freeNb(ndis, dest, destChain);
    }

    @Test
    @DisplayName("§3.8: the source's DataLength does not bound the copy either")
    void readsPastSourceDataLength() {
        Mdl sourceChain = chain(ndis, 0x40, 32);
        NetBuffer source = nb(sourceChain, 0, 4);
        Mdl destChain = chain(ndis, 0, 32);
        NetBuffer dest = nb(destChain, 0, 32);
        assertEquals(10, NetBuffer.copy(dest, 0, 10, source, 0));
        assertArrayEquals(seq(0x40, 10), Arrays.copyOfRange(dest.toByteArray(), 0, 10));
        freeNb(ndis, source, sourceChain);
        freeNb(ndis, dest, destChain);
    }

    @Test
    @DisplayName("§3.8: the count is min(BytesToCopy, bytes left in the source chain, bytes left in the dest chain)")
    void boundedByShorterChain() {
        Mdl sourceChain = chain(ndis, 0x40, 6, 10);
        NetBuffer source = nb(sourceChain, 0, 16);
        Mdl destChain = chain(ndis, 0, 4, 4);
        NetBuffer dest = nb(destChain, 0, 8);
        assertEquals(8, NetBuffer.copy(dest, 0, 100, source, 0), "dest chain ends after 8 bytes");
        assertEquals(6, NetBuffer.copy(dest, 0, 100, source, 10), "source chain has 6 bytes after offset 10");
        assertEquals(3, NetBuffer.copy(dest, 5, 100, source, 0), "dest has 3 bytes after offset 5");
        freeNb(ndis, source, sourceChain);
        freeNb(ndis, dest, destChain);
    }

    @Test
    @DisplayName("§3.8: BytesToCopy 0 or a start beyond either chain end copies 0 bytes")
    void zeroCases() {
        Mdl sourceChain = chain(ndis, 0x40, 16);
        NetBuffer source = nb(sourceChain, 0, 16);
        Mdl destChain = chain(ndis, 0, 16);
        NetBuffer dest = nb(destChain, 0, 16);
        assertEquals(0, NetBuffer.copy(dest, 0, 0, source, 0));
        assertEquals(0, NetBuffer.copy(dest, 0, 8, source, 16));
        assertEquals(0, NetBuffer.copy(dest, 16, 8, source, 0));
        assertEquals(0, NetBuffer.copy(dest, 0, 8, source, 1000));
        assertArrayEquals(seq(0, 16), chainBytes(destChain), "nothing was written");
        freeNb(ndis, source, sourceChain);
        freeNb(ndis, dest, destChain);
    }

    @Test
    @DisplayName("§3.8: the source's data start counts from its current MDL and offset")
    void sourceDataOffsetCounts() {
        Mdl sourceChain = chain(ndis, 0x40, 4, 12);
        NetBuffer source = nb(sourceChain, 6, 10);
        Mdl destChain = chain(ndis, 0, 8);
        NetBuffer dest = nb(destChain, 0, 8);
        assertEquals(4, NetBuffer.copy(dest, 0, 4, source, 0));
        assertArrayEquals(seq(0x46, 4), Arrays.copyOfRange(dest.toByteArray(), 0, 4));
        freeNb(ndis, source, sourceChain);
        freeNb(ndis, dest, destChain);
    }

    @Test
    @DisplayName("§3.8: overlapping ranges within one MDL of the same NB copy like memmove")
    void overlapWithinSameNb() {
        Mdl mdl = chain(ndis, 0, 16);
        NetBuffer nb = nb(mdl, 0, 16);

        assertEquals(8, NetBuffer.copy(nb, 2, 8, nb, 0)); // forward overlap

        byte[] expected = seq(0, 16);
        System.arraycopy(seq(0, 8), 0, expected, 2, 8);
        assertArrayEquals(expected, chainBytes(mdl));

        assertEquals(8, NetBuffer.copy(nb, 0, 8, nb, 3)); // backward overlap
        byte[] expected2 = expected.clone();
        System.arraycopy(expected, 3, expected2, 0, 8);
        assertArrayEquals(expected2, chainBytes(mdl));
        freeNb(ndis, nb, mdl);
    }

    @Test
    @DisplayName("§3.8: overlap is safe only per MDL segment — a forward overlap across MDLs re-reads bytes it wrote")
    void overlapAcrossMdlsIsPerSegment() {
        Mdl head = chain(ndis, 0, 4, 12);
        NetBuffer nb = nb(head, 0, 16);

        assertEquals(8, NetBuffer.copy(nb, 2, 8, nb, 0));

        // runs: [0,2)→[2,4) inside MDL 0; [2,4)→[4,6) re-reads the 0,1 just written; then [4,8)→[6,10) is one
        // memmove inside MDL 1. A memmove of the whole range would give 0,1,0,1,2,3,4,5,6,7.
        assertArrayEquals(Packets.bytes(0, 1, 0, 1, 0, 1, 0, 1, 6, 7, 10, 11, 12, 13, 14, 15), chainBytes(head));
        freeNb(ndis, nb, head);
    }

    @Test
    @DisplayName("§3.8: neither NB's DataOffset, DataLength or cursor changes")
    void fieldsUnchanged() {
        Mdl sourceChain = chain(ndis, 0x40, 4, 12);
        NetBuffer source = nb(sourceChain, 5, 9);
        Mdl destChain = chain(ndis, 0, 8, 8);
        NetBuffer dest = nb(destChain, 9, 3);
        NetBuffer.copy(dest, 0, 5, source, 1);
        assertEquals(5, source.dataOffset());
        assertEquals(9, source.dataLength());
        assertSame(sourceChain.next(), source.currentMdl());
        assertEquals(1, source.currentMdlOffset());
        assertEquals(9, dest.dataOffset());
        assertEquals(3, dest.dataLength());
        assertSame(destChain.next(), dest.currentMdl());
        assertEquals(1, dest.currentMdlOffset());
        freeNb(ndis, source, sourceChain);
        freeNb(ndis, dest, destChain);
    }
}
