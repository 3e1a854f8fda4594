package org.nbl4j.stack.wfp;

import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ndis.LwfDriver;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.LwfHandlers;

/**
 * The in-box WFP filter Windows 8 and later stack at the bottom of every adapter, {@code wfplwfs.sys} ("WFP Native
 * MAC Layer LightWeight Filter"): on the send path it attaches a WFP info container to each NBL passed down and marks
 * it finished when the send completes (nbl-reuse-leak-and-diagnostics §1). It is why a driver above it that recycles
 * its send NBLs instead of freeing them grows the {@code Wfpn} tag by one per send; the Windows 7 profile has no such
 * filter.
 */
public final class WfpLwf implements LwfDriver {
    /** The name Windows shows for the module. */
    public static final String NAME = "WFP Native MAC Layer LightWeight Filter";

    private final WfpInfoContainers containers;

    /** A driver whose modules attach the containers of {@code containers}. */
    public WfpLwf(WfpInfoContainers containers) {
        this.containers = containers;
    }

    @Override
    public LwfHandlers attach(LwfHandle handle) {
        return new LwfHandlers() {
            @Override
            public void sendNetBufferLists(LwfHandle from, NetBufferList chain, int portNumber, int sendFlags) {
                containers.attachOnSend(chain);
                from.sendNetBufferLists(chain, portNumber, sendFlags);
            }

            @Override
            public void sendNetBufferListsComplete(LwfHandle from, NetBufferList chain, int sendCompleteFlags) {
                containers.sendCompleted(chain);
                from.sendNetBufferListsComplete(chain, sendCompleteFlags);
            }
        };
    }
}
