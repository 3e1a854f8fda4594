package org.nbl4j.stack.ip;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.buffer.NetBufferPool;
import org.nbl4j.core.buffer.NetBufferPoolParameters;

/**
 * IPv4 fragmentation (RFC 791 §3.2, RFC 1812 §5.2.6) without copying the payload: one
 * {@code NdisAllocateFragmentNetBufferList} call (ndis-buffers §5.3) cuts the data after the IP header into pieces
 * of at most {@code (MTU - IHL) & ~7} bytes, one NB each, with {@code DataOffsetDelta = IHL} bytes of fresh header
 * space in front of each; the fragmenter writes each header there. The fragment NBL is a child of the original
 * (ParentNetBufferList set, ChildRefCount incremented), so the original is returned only once it is freed.
 *
 * <p>Every fragment header has the original's length: options that are not copied into later fragments (copied
 * flag clear) are overwritten with No Operation bytes there, which keeps DataOffsetDelta uniform. Offsets and the MF
 * bit continue those of an original that is itself a fragment.
 */
final class Fragmenter implements AutoCloseable {
    private final NetBufferListPool fragmentNbls;
    private final NetBufferPool fragmentNbs;
    private final NblHolds holds;
    private final IpCounters counters;

    Fragmenter(Ndis ndis, NblHolds holds, IpCounters counters) {
        NetBufferListPool nbls =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, IpPoolTags.FRAGMENT_NBLS, 0));
        NetBufferPool nbs = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(IpPoolTags.FRAGMENT_NBS, 0));
        if (nbls == null || nbs == null) {
            throw new IllegalStateException("the IP layer's fragment pools could not be made");
        }
        this.fragmentNbls = nbls;
        this.fragmentNbs = nbs;
        this.holds = holds;
        this.counters = counters;
    }

    /**
     * Cuts an IPv4 packet into fragments that fit {@code mtu}.
     *
     * @param header the original's IP header, {@code headerLength} bytes, as the fragments should carry it
     * @return the fragment NBL, held once for the caller (which must release it), or null if an allocation failed
     */
    @Nullable
    NetBufferList fragment(NetBufferList original, MemorySegment header, int headerLength, int mtu) {
        int maximumPayload = (mtu - headerLength) & ~7;
        if (maximumPayload < 8) {
            return null;
        }
        NetBufferList fragments =
                original.allocateFragment(fragmentNbls, fragmentNbs, headerLength, maximumPayload, headerLength, 0, 0);
        if (fragments == null) {
            return null;
        }
        holds.adoptChild(fragments, original, headerLength);
        int word = Ipv4Header.fragmentWord(header);
        int baseOffset = (word & Ipv4Header.FRAGMENT_OFFSET_MASK) * 8;
        boolean originalMore = (word & Ipv4Header.FLAG_MORE_FRAGMENTS) != 0;
        int offset = baseOffset;
        int count = 0;
        for (NetBuffer nb = fragments.firstNetBuffer(); nb != null; nb = nb.next()) {
            MemorySegment target = nb.getDataBuffer(headerLength, null, 1, 0);
            if (target == null) {
                throw new IllegalStateException("fragment header space is not contiguous");
            }
            MemorySegment.copy(header, 0, target, 0, headerLength);
            if (count > 0) {
                Ipv4Header.blankUncopiedOptions(target, headerLength);
            }
            int payload = nb.dataLength() - headerLength;
            boolean more = nb.next() != null || originalMore;
            Ipv4Header.setTotalLength(target, headerLength + payload);
            Ipv4Header.setFragmentWord(target, (more ? Ipv4Header.FLAG_MORE_FRAGMENTS : 0) | (offset / 8));
            Ipv4Header.updateChecksum(target, headerLength);
            offset += payload;
            count++;
        }
        counters.add(IpCounters.FRAGMENTS_CREATED, count);
        counters.count(IpCounters.DATAGRAMS_FRAGMENTED);
        return fragments;
    }

    @Override
    public void close() {
        fragmentNbls.close();
        fragmentNbs.close();
    }
}
