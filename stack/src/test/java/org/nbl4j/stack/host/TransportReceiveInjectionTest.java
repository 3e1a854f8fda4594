package org.nbl4j.stack.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.udp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ddk.Fwpsk;
import org.nbl4j.stack.ddk.NdisH;
import org.nbl4j.stack.ddk.Ref;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.FilterSpec;
import org.nbl4j.stack.wfp.InjectionHandle;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.WfpInfoContainers;

/**
 * The inbound half of inspect's transport path (wfp-callouts-and-injection §6.1, TLInspectCloneReinjectInbound; §3.7,
 * §3.11): a callout at INBOUND_TRANSPORT retreats the IP and transport headers, clones, advances, absorbs the original
 * and reinjects the clone with {@code FwpsInjectTransportReceiveAsync0}. The clone comes back to the same callout as
 * INJECTED_BY_SELF and is permitted; the applications get the datagram once; the completion frees the clone; the
 * original goes back to its miniport; nothing is left in any pool.
 */
class TransportReceiveInjectionTest {
    private static final String HOST = "198.51.100.2";
    private static final String REMOTE = "203.0.113.9";

    private Ndis ndis;
    private Router router;
    private FilterEngine engine;
    private SystemWfp.Binding binding;
    private MemoryMiniport net;
    private InjectionHandle handle;
    private final List<byte[]> toApps = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> states = new ArrayList<>();
    private int completions;

    @BeforeEach
    void host() {
        ndis = Ndis.create(VerifierSettings.full());
        HostBed host = HostBed.create(ndis, 16, toApps, null);
        router = host.router();
        engine = host.engine();
        net = host.net();
        binding = SystemWfp.bind(engine);
        Ref<InjectionHandle> created = new Ref<>();
        assertEquals(
                Fwpsk.STATUS_SUCCESS,
                Fwpsk.FwpsInjectionHandleCreate0(Fwpsk.AF_UNSPEC, Fwpsk.FWPS_INJECTION_TYPE_TRANSPORT, created));
        handle = created.value();
        UUID key = UUID.randomUUID();
        engine.registerCallout(Callout.of(key, (values, metadata, layerData, context, filter, flowContext, out) -> {
            int state = Fwpsk.FwpsQueryPacketInjectionState0(handle, layerData, null);
            states.add(state);
            if (state == Fwpsk.FWPS_PACKET_INJECTED_BY_SELF || state == Fwpsk.FWPS_PACKET_PREVIOUSLY_INJECTED_BY_SELF) {
                out.setActionType(Fwpsk.FWP_ACTION_PERMIT);
                return;
            }
            // TLInspectCloneReinjectInbound: the clone must start at the IP header.
            NetBuffer nb = NdisH.NET_BUFFER_LIST_FIRST_NB(layerData);
            int back = metadata.ipHeaderSize() + metadata.transportHeaderSize();
            NdisH.NdisRetreatNetBufferDataStart(nb, back, 0, null);
            Ref<NetBufferList> clone = new Ref<>();
            int status = Fwpsk.FwpsAllocateCloneNetBufferList0(layerData, null, null, 0, clone);
            NdisH.NdisAdvanceNetBufferDataStart(nb, back, false, null);
            assertEquals(Fwpsk.STATUS_SUCCESS, status);
            assertEquals(
                    Fwpsk.STATUS_SUCCESS,
                    Fwpsk.FwpsInjectTransportReceiveAsync0(
                            handle,
                            0,
                            null,
                            0,
                            Fwpsk.AF_INET,
                            metadata.compartmentId(),
                            (int) values.get(Fwpsk.FWPS_FIELD_INBOUND_TRANSPORT_V4_INTERFACE_INDEX)
                                    .integer(),
                            (int) values.get(Fwpsk.FWPS_FIELD_INBOUND_TRANSPORT_V4_SUB_INTERFACE_INDEX)
                                    .integer(),
                            clone.value(),
                            (completionContext, injected, dispatchLevel) -> {
                                completions++;
                                Fwpsk.FwpsFreeCloneNetBufferList0(injected, 0);
                            },
                            null));
            out.setActionType(Fwpsk.FWP_ACTION_BLOCK);
            out.setFlags(out.flags() | Fwpsk.FWPS_CLASSIFY_OUT_FLAG_ABSORB);
            out.clearWriteRight();
        }));
        engine.addFilter(FilterSpec.callout(Layer.INBOUND_TRANSPORT_V4, ActionType.CALLOUT_TERMINATING, key));
    }

    @AfterEach
    void close() {
        binding.close();
        Fwpsk.FwpsInjectionHandleDestroy0(handle);
        router.close();
        ndis.close();
    }

    @Test
    @DisplayName("the reinjected clone is INJECTED_BY_SELF, reaches the applications once, and everything is returned")
    void cloneAbsorbReinject() {
        byte[] packet = ipv4(REMOTE, HOST, 17, 64, udp(53, 5000, new byte[] {1, 2, 3, 4}));
        assertTrue(net.receive(packet));
        router.drain();
        assertEquals(
                List.of(Fwpsk.FWPS_PACKET_NOT_INJECTED, Fwpsk.FWPS_PACKET_INJECTED_BY_SELF),
                states,
                "the original, then the clone");
        assertEquals(1, toApps.size(), "the applications get the datagram once");
        assertArrayEquals(packet, toApps.getFirst(), "unchanged");
        assertEquals(1, completions, "one completion per accepted injection");
        assertEquals(engine.injections(), engine.completions());
        assertEquals(16, net.freeReceiveBuffers(), "the original went back to its miniport");
        assertEquals(0, ndis.poolUsage().diff(WfpInfoContainers.TAG), "Wfpn");
        assertEquals(0, ndis.poolUsage().diff(Ndis.DEFAULT_NBL_POOL_TAG), "clones");
        assertTrue(
                ndis.verifier().violations().isEmpty(),
                () -> ndis.verifier().violations().toString());
        assertEquals(
                1, engine.indications(Layer.ALE_AUTH_RECV_ACCEPT_V4), "the flow was authorized once, by the clone");
    }
}
