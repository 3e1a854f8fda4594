package org.nbl4j.samples.forwardinject;

import static org.nbl4j.stack.ddk.Fwpsk.*;
import static org.nbl4j.stack.ddk.NdisH.*;
import static org.nbl4j.stack.ddk.Wdm.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ip.InternetChecksum;
import org.nbl4j.stack.wfp.InjectionHandle;

/**
 * The forward-inject callout: deep-clones each forwarded packet (seed 000), sets its DSCP to {@link #NEW_DSCP}
 * (updating the IPv4 header checksum), absorbs the original and forward-injects the clone on the egress interface
 * in the packet's compartment (seed 002). The original goes back to its adapter once the clone is freed in the
 * completion function, which decrements its ChildRefCount.
 *
 * <p>Its callouts register without {@code FWP_CALLOUT_FLAG_ALLOW_RSC}, so the stack turns RSC off while it is loaded
 * and it sees segments only. {@link RscForwardInjectCallout} is the same driver built with the flag.
 */
public sealed class ForwardInjectCallout extends ForwardCalloutDriver permits RscForwardInjectCallout {
    /** The DSCP the clones carry: Expedited Forwarding. */
    public static final int NEW_DSCP = 46;

    private static final ValueLayout.OfShort BIG_ENDIAN_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The driver whose callouts do not opt in to RSC. */
    public ForwardInjectCallout() {
        this(0);
    }

    /** The driver whose callouts register with {@code calloutFlags} ({@code FWP_CALLOUT_FLAG_*}). */
    ForwardInjectCallout(int calloutFlags) {
        super(calloutFlags);
    }

    @Override
    protected final boolean TakePacket(
            InjectionHandle injectionHandle,
            NetBufferList netBufferList,
            int addressFamily,
            int compartmentId,
            int interfaceIndex) {
        Ref<NetBufferList> clonedNetBufferList = new Ref<>();
        int status = FwpsAllocateDeepCloneNetBufferList0(netBufferList, null, null, clonedNetBufferList);
        NetBufferList clone = clonedNetBufferList.value();
        if (!NT_SUCCESS(status) || clone == null) {
            return false;
        }
        if (!SetDscp(clone, addressFamily, NEW_DSCP)) {
            FwpsFreeCloneNetBufferList0(clone, 0);
            return false;
        }
        return NT_SUCCESS(InjectClone(injectionHandle, clone, addressFamily, compartmentId, interfaceIndex));
    }

    /**
     * Rewrites the DSCP of the IP header at the start of the clone's first NB, in place: the deep clone's data is the
     * callout's own. For IPv4 the header checksum is updated for the changed word (RFC 1624), as a router does: the
     * stack has already checked the header's checksum on receive, so this equals recomputing it over the header.
     *
     * @return FALSE if the header is not contiguous in the first MDL (a deep clone's always is)
     */
    private static boolean SetDscp(NetBufferList clone, int addressFamily, int dscp) {
        NetBuffer nb = NET_BUFFER_LIST_FIRST_NB(clone);
        int headerLength = addressFamily == AF_INET ? 20 : 40;
        MemorySegment ipHeader = nb == null ? null : NdisGetDataBuffer(nb, headerLength, null, 1, 0);
        if (ipHeader == null) {
            return false;
        }
        if (addressFamily == AF_INET) {
            // Version/IHL and TOS form the first 16-bit word the header checksum covers.
            int oldWord = Short.toUnsignedInt(ipHeader.get(BIG_ENDIAN_SHORT, 0));
            int newWord = (oldWord & 0xFF03) | dscp << 2;
            int checksum = Short.toUnsignedInt(ipHeader.get(BIG_ENDIAN_SHORT, 10));
            ipHeader.set(BIG_ENDIAN_SHORT, 0, (short) newWord);
            ipHeader.set(BIG_ENDIAN_SHORT, 10, (short) InternetChecksum.update(checksum, oldWord, newWord));
        } else {
            // Traffic class: the low nibble of byte 0 and the high nibble of byte 1; ECN (its low 2 bits) is kept.
            int byte0 = ipHeader.get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
            int byte1 = ipHeader.get(ValueLayout.JAVA_BYTE, 1) & 0xFF;
            int trafficClass = (byte0 & 0x0F) << 4 | byte1 >>> 4;
            trafficClass = dscp << 2 | (trafficClass & 0x03);
            ipHeader.set(ValueLayout.JAVA_BYTE, 0, (byte) ((byte0 & 0xF0) | trafficClass >>> 4));
            ipHeader.set(ValueLayout.JAVA_BYTE, 1, (byte) ((trafficClass & 0x0F) << 4 | (byte1 & 0x0F)));
        }
        return true;
    }
}
