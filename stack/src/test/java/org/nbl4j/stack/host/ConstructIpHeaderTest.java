package org.nbl4j.stack.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.ip;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.udp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ddk.Fwpsk;
import org.nbl4j.stack.ddk.NdisH;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ip.TestPackets;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FilterSpec;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.WfpInfoContainers;

/**
 * {@code FwpsConstructIpHeaderForTransportPacket0} on a clone taken at OUTBOUND_TRANSPORT (wfp-callouts-and-injection
 * §3.7, §6.2; docs/wfp.md): from the transport header (headerIncludeHeaderLength 0) the clone gets a new IPv4 header
 * in its headroom; from an IP header it is rebuilt in place; what the DDI cannot do is refused with
 * STATUS_INVALID_PARAMETER and leaves the clone as it was.
 */
class ConstructIpHeaderTest {
    private static final String HOST = "198.51.100.2";
    private static final String REMOTE = "203.0.113.9";
    private static final String OTHER = "203.0.113.77";

    private Ndis ndis;
    private Router router;
    private FilterEngine engine;
    private SystemWfp.Binding binding;
    private MemoryMiniport apps;
    private final List<byte[]> headers = new ArrayList<>();
    private final List<Integer> statuses = new ArrayList<>();

    @BeforeEach
    void host() {
        ndis = Ndis.create(VerifierSettings.full());
        HostBed bed = HostBed.create(ndis, 16, null, null);
        router = bed.router();
        engine = bed.engine();
        apps = bed.apps();
        binding = SystemWfp.bind(engine);
        UUID key = UUID.randomUUID();
        engine.registerCallout(Callout.of(key, (values, metadata, layerData, context, filter, flowContext, out) -> {
            Ref<NetBufferList> cloned = new Ref<>();
            assertEquals(Fwpsk.STATUS_SUCCESS, Fwpsk.FwpsAllocateCloneNetBufferList0(layerData, null, null, 0, cloned));
            NetBufferList clone = cloned.value();
            byte[] host = ip(HOST).getAddress();
            // Refused: an address of the wrong length.
            statuses.add(construct(clone, 0, host, new byte[16]));
            // At the transport header: a new header in the headroom.
            statuses.add(construct(clone, 0, host, ip(REMOTE).getAddress()));
            headers.add(NdisH.NET_BUFFER_LIST_FIRST_NB(clone).toByteArray());
            // At that IP header: rebuilt toward another address.
            statuses.add(construct(clone, 20, host, ip(OTHER).getAddress()));
            headers.add(NdisH.NET_BUFFER_LIST_FIRST_NB(clone).toByteArray());
            NdisH.NdisAdvanceNetBufferDataStart(NdisH.NET_BUFFER_LIST_FIRST_NB(clone), 20, false, null);
            Fwpsk.FwpsFreeCloneNetBufferList0(clone, 0);
        }));
        engine.addFilter(FilterSpec.callout(Layer.OUTBOUND_TRANSPORT_V4, ActionType.CALLOUT_INSPECTION, key));
    }

    private static int construct(NetBufferList clone, int headerLength, byte[] source, byte[] remote) {
        return Fwpsk.FwpsConstructIpHeaderForTransportPacket0(
                clone, headerLength, Fwpsk.AF_INET, source, remote, 17, 0, null, 0, 0, null, 0, 0);
    }

    @AfterEach
    void close() {
        binding.close();
        router.close();
        assertEquals(0, ndis.poolUsage().diff(WfpInfoContainers.TAG), "Wfpn");
        assertEquals(0, ndis.poolUsage().diff(Ndis.DEFAULT_NBL_POOL_TAG), "clones");
        assertTrue(
                ndis.verifier().violations().isEmpty(),
                () -> ndis.verifier().violations().toString());
        ndis.close();
    }

    @Test
    @DisplayName("a new header at the transport header, a rebuilt one at the IP header; a wrong address refused")
    void constructsAndRebuilds() {
        byte[] datagram = ipv4(HOST, REMOTE, 17, 64, udp(5000, 53, new byte[] {7, 7, 7}));
        assertTrue(apps.receive(datagram));
        router.drain();
        assertEquals(List.of(Fwpsk.STATUS_INVALID_PARAMETER, Fwpsk.STATUS_SUCCESS, Fwpsk.STATUS_SUCCESS), statuses);
        byte[] built = headers.get(0);
        assertEquals(datagram.length, built.length, "the clone starts at its new IP header");
        assertEquals(0x45, built[0] & 0xFF);
        assertEquals(128, built[8] & 0xFF, "Windows' default TTL");
        assertEquals(17, built[9]);
        assertEquals(0x40, built[6] & 0xFF, "DF");
        assertArrayEquals(ip(REMOTE).getAddress(), Arrays.copyOfRange(built, 16, 20));
        assertEquals(0, TestPackets.checksum(built, 0, 20), "IPv4 header checksum");
        assertArrayEquals(
                Arrays.copyOfRange(datagram, 20, datagram.length), Arrays.copyOfRange(built, 20, built.length));
        byte[] rebuilt = headers.get(1);
        assertEquals(datagram.length, rebuilt.length);
        assertArrayEquals(ip(OTHER).getAddress(), Arrays.copyOfRange(rebuilt, 16, 20));
        assertEquals(0, TestPackets.checksum(rebuilt, 0, 20));
    }
}
