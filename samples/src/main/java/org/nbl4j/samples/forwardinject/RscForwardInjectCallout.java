package org.nbl4j.samples.forwardinject;

import static org.nbl4j.stack.ddk.Fwpsk.FWP_CALLOUT_FLAG_ALLOW_RSC;

/**
 * The forward-inject callout built with {@code FWP_CALLOUT_FLAG_ALLOW_RSC} in its {@code FWPS_CALLOUT.flags}: it has
 * promised to handle large receive (RSC) packets, so loading it leaves RSC on. It changes nothing else: a coalesced
 * packet is deep-cloned whole, its clone keeps the {@code TcpRecvSegCoalesceInfo} and checksum slots (as
 * {@code FwpsAllocateDeepCloneNetBufferList0} copies them), gets DSCP 46 in its one IP header, and is forward-injected;
 * the stack sends it with LSO where the egress has it.
 *
 * <p>Windows never shows coalesced packets at IPFORWARD (it turns RSC off on a forwarding interface), so with this
 * driver they reach the callout only under {@code nbl4j route --offload=throughput}, which is beyond Windows
 * (docs/offloads.md). A ported driver that opts in sets the flag the same way, fixed when it is built.
 */
public final class RscForwardInjectCallout extends ForwardInjectCallout {
    /** The driver whose callouts opt in to RSC. */
    public RscForwardInjectCallout() {
        super(FWP_CALLOUT_FLAG_ALLOW_RSC);
    }
}
