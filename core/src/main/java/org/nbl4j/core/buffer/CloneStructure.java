package org.nbl4j.core.buffer;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.Mdl;

/**
 * The structure a clone function gave an NBL, recorded when the clone is made and compared when it is freed: its NBs
 * in order and, for each, every MDL of its chain with the first byte and the byte count it describes.
 *
 * <p>Both clone families free only what they made, so whatever a driver changed must be undone first: NDIS's
 * {@code NdisFreeCloneNetBufferList} (ndis-buffers §5.2) and WFP's {@code FwpsFreeCloneNetBufferList0} (wfp §2.4,
 * §2.5: "undo these modifications before"). An MDL appended would leak, one replaced would free the driver's own. The
 * NBs' {@code DataOffset} and {@code DataLength} are not part of the structure: moving them inside the MDLs the clone
 * was made with leaves nothing to undo or to leak.
 *
 * <p>Flat arrays, grown when a clone has more than ever before and reused with the NBL or container that holds them:
 * recording allocates nothing in steady state.
 */
public final class CloneStructure {
    private @Nullable NetBuffer[] netBuffers = new NetBuffer[1];
    /** Where each NB's run of MDLs starts in {@link #mdls}; entry {@code netBufferCount} ends the last run. */
    private int[] mdlStarts = new int[2];

    private @Nullable Mdl[] mdls = new Mdl[1];
    private long[] mdlAddresses = new long[1];
    private int[] mdlLengths = new int[1];
    private int netBufferCount;
    private boolean recorded;

    /** Records the structure {@code nbl} has now, replacing any recorded before. */
    public void record(NetBufferList nbl) {
        clear();
        int nbCount = 0;
        int mdlCount = 0;
        for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next()) {
            if (nbCount == netBuffers.length) {
                netBuffers = Arrays.copyOf(netBuffers, nbCount * 2);
                mdlStarts = Arrays.copyOf(mdlStarts, nbCount * 2 + 1);
            }
            netBuffers[nbCount] = nb;
            mdlStarts[nbCount] = mdlCount;
            nbCount++;
            for (Mdl mdl = nb.mdlChain(); mdl != null; mdl = mdl.next()) {
                if (mdlCount == mdls.length) {
                    mdls = Arrays.copyOf(mdls, mdlCount * 2);
                    mdlAddresses = Arrays.copyOf(mdlAddresses, mdlCount * 2);
                    mdlLengths = Arrays.copyOf(mdlLengths, mdlCount * 2);
                }
                mdls[mdlCount] = mdl;
                mdlAddresses[mdlCount] = mdl.virtualAddress();
                mdlLengths[mdlCount] = mdl.byteCount();
                mdlCount++;
            }
        }
        mdlStarts[nbCount] = mdlCount;
        netBufferCount = nbCount;
        recorded = true;
    }

    /** The head of the MDL chain NB {@code nbIndex} had when recorded, or {@code null} if none. */
    public @Nullable Mdl recordedMdlChain(int nbIndex) {
        int first = mdlStarts[nbIndex];
        return first < mdlStarts[nbIndex + 1] ? mdls[first] : null;
    }

    /**
     * What differs between {@code nbl} and the recorded structure, naming the first NB and MDL (by index, from 0) that
     * differ: an NB inserted, removed or replaced; an MDL appended, removed or replaced (a retreat beyond the data's
     * start puts an MDL in front); an MDL that describes other bytes or another length.
     *
     * @return {@code null} if the structure is the recorded one, or if none is recorded (a clone whose making failed
     *     half-way is freed with nothing to compare)
     */
    public @Nullable String change(NetBufferList nbl) {
        if (!recorded) {
            return null;
        }
        int index = 0;
        for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next(), index++) {
            if (index == netBufferCount) {
                return "NB " + index + " was inserted (cloned with " + netBufferCount + " NB(s))";
            }
            if (netBuffers[index] != nb) {
                return "NB " + index + " is not the NB it was cloned with";
            }
            String mdlChange = mdlChainChange(nb, index);
            if (mdlChange != null) {
                return "NB " + index + ", " + mdlChange;
            }
        }
        return index == netBufferCount
                ? null
                : "NB " + index + " was removed (" + index + " NB(s) left of " + netBufferCount + ")";
    }

    /** What differs in the MDL chain of NB {@code nbIndex}, or {@code null}. */
    private @Nullable String mdlChainChange(NetBuffer nb, int nbIndex) {
        int first = mdlStarts[nbIndex];
        int count = mdlStarts[nbIndex + 1] - first;
        int index = 0;
        for (Mdl mdl = nb.mdlChain(); mdl != null; mdl = mdl.next(), index++) {
            if (index == count) {
                return "MDL " + index + " was added (cloned with " + count + " MDL(s)): " + mdl;
            }
            int at = first + index;
            if (mdls[at] != mdl) {
                return "MDL " + index + " is not the MDL it was cloned with: " + mdl;
            }
            if (mdlAddresses[at] != mdl.virtualAddress() || mdlLengths[at] != mdl.byteCount()) {
                return "MDL " + index + " describes " + mdl.byteCount() + " bytes at 0x"
                        + Long.toHexString(mdl.virtualAddress()) + ", cloned describing " + mdlLengths[at]
                        + " bytes at 0x" + Long.toHexString(mdlAddresses[at]);
            }
        }
        return index == count ? null : "MDL " + index + " was removed (" + index + " MDL(s) left of " + count + ")";
    }

    /**
     * Forgets the recorded structure, so that the NBs and MDLs it names can be collected or recycled. Most holders
     * (an NBL never cloned) have nothing recorded, and then this touches no array.
     */
    public void clear() {
        int mdlCount = mdlStarts[netBufferCount];
        for (int i = 0; i < mdlCount; i++) {
            mdls[i] = null;
        }
        for (int i = 0; i < netBufferCount; i++) {
            netBuffers[i] = null;
        }
        for (int i = 0; i <= netBufferCount; i++) {
            mdlStarts[i] = 0;
        }
        netBufferCount = 0;
        recorded = false;
    }
}
