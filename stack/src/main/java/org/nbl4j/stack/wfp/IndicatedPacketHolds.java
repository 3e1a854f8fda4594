package org.nbl4j.stack.wfp;

import org.nbl4j.core.buffer.NetBufferList;

/**
 * The holds the IP path keeps on the NBLs it shows to the engine, told when WFP pins or unpins one (§2.3, §2.6,
 * §8.2). The IP layer implements it and gives it to {@link FilterEngine#setIndicatedPacketHolds}.
 *
 * <p>The rule it must keep: an indicated NBL goes back to its producer (returned to its adapter, or freed) only when
 * the path is done with it <em>and</em> {@link WfpBuffers#isHeld} is false, i.e. no FwpsReference is outstanding and
 * its {@code ChildRefCount} is 0. When the path finished with the packet earlier (it was absorbed, or sent), it defers
 * the return and does it from {@link #dereference} or {@link #cloneFreed}, whichever drops the last hold. Before the
 * return it calls {@link WfpInfoContainers#release} so that WFP's per-packet state goes with the packet.
 */
public interface IndicatedPacketHolds {

    /** The holds of a path that never defers a return: for engines used without an IP layer. */
    IndicatedPacketHolds NONE = new IndicatedPacketHolds() {
        @Override
        public void reference(NetBufferList nbl) {}

        @Override
        public void dereference(NetBufferList nbl, boolean dispatchLevel) {}

        @Override
        public void cloneFreed(NetBufferList parent, boolean dispatchLevel) {
            parent.decrementChildRefCount();
        }
    };

    /** {@code FwpsReferenceNetBufferList0} took a reference on {@code nbl}: it must outlive the classify. */
    void reference(NetBufferList nbl);

    /**
     * {@code FwpsDereferenceNetBufferList0} dropped a reference; if it was the last hold and the path is done, return
     * the NBL now.
     */
    void dereference(NetBufferList nbl, boolean dispatchLevel);

    /**
     * A clone or deep clone of {@code parent} was freed: decrement the parent's {@code ChildRefCount}, and if no hold
     * is left and the path is done, return the parent now. The holds decrement, so that the count and the decision
     * to return change together under one lock.
     */
    void cloneFreed(NetBufferList parent, boolean dispatchLevel);
}
