package org.nbl4j.stack.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ip.TestPackets.ip;
import static org.nbl4j.stack.ip.TestPackets.ipv4;
import static org.nbl4j.stack.ip.TestPackets.udp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ddk.FWPS_TRANSPORT_SEND_PARAMS1;
import org.nbl4j.stack.ddk.Fwpsk;
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
 * The outbound half of inspect's and ddproxy's transport path (wfp-callouts-and-injection §6.1
 * TLInspectCloneReinjectOutbound, §6.2 DDProxyCloneModifyReinjectOutbound; §3.7, §3.11): a callout at
 * OUTBOUND_TRANSPORT clones the packet (it starts at the transport header), absorbs the original and sends the clone
 * with {@code FwpsInjectTransportSendAsync1} to the remote address it chooses. The clone passes the same callout as
 * INJECTED_BY_SELF, leaves once, its completion runs once, and nothing is left in any pool.
 */
class TransportSendInjectionTest {
    private static final String HOST = "198.51.100.2";
    private static final String REMOTE = "203.0.113.9";
    private static final String PROXY = "203.0.113.77";

    private Ndis ndis;
    private Router router;
    private FilterEngine engine;
    private SystemWfp.Binding binding;
    private MemoryMiniport apps;
    private InjectionHandle handle;
    private final List<byte[]> toNet = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> states = new ArrayList<>();
    private int completions;
    /** Where the callout sends the clone: the packet's own remote address, or another (a ddproxy redirect). */
    private byte[] sendTo;

    @BeforeEach
    void host() {
        ndis = Ndis.create(VerifierSettings.full());
        HostBed host = HostBed.create(ndis, 16, null, toNet);
        router = host.router();
        engine = host.engine();
        apps = host.apps();
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
            Ref<NetBufferList> clone = new Ref<>();
            assertEquals(Fwpsk.STATUS_SUCCESS, Fwpsk.FwpsAllocateCloneNetBufferList0(layerData, null, null, 0, clone));
            FWPS_TRANSPORT_SEND_PARAMS1 sendArgs = new FWPS_TRANSPORT_SEND_PARAMS1();
            sendArgs.remoteAddress = sendTo;
            assertEquals(
                    Fwpsk.STATUS_SUCCESS,
                    Fwpsk.FwpsInjectTransportSendAsync1(
                            handle,
                            0,
                            metadata.transportEndpointHandle(),
                            0,
                            sendArgs,
                            Fwpsk.AF_INET,
                            metadata.compartmentId(),
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
        engine.addFilter(FilterSpec.callout(Layer.OUTBOUND_TRANSPORT_V4, ActionType.CALLOUT_TERMINATING, key));
    }

    @AfterEach
    void close() {
        binding.close();
        Fwpsk.FwpsInjectionHandleDestroy0(handle);
        router.close();
        ndis.close();
    }

    private void sendAndCheckQuiet(byte[] packet) {
        assertTrue(apps.receive(packet));
        router.drain();
        assertEquals(List.of(Fwpsk.FWPS_PACKET_NOT_INJECTED, Fwpsk.FWPS_PACKET_INJECTED_BY_SELF), states);
        assertEquals(1, toNet.size(), "the clone left, the original did not");
        assertEquals(1, completions);
        assertEquals(engine.injections(), engine.completions());
        assertEquals(16, apps.freeReceiveBuffers(), "the original went back to its miniport");
        assertEquals(0, ndis.poolUsage().diff(WfpInfoContainers.TAG), "Wfpn");
        assertEquals(0, ndis.poolUsage().diff(Ndis.DEFAULT_NBL_POOL_TAG), "clones");
        assertTrue(
                ndis.verifier().violations().isEmpty(),
                () -> ndis.verifier().violations().toString());
    }

    @Test
    @DisplayName("inspect: the clone leaves with the stack's IP header (TTL 128) and the application's transport bytes")
    void reinjectUnchanged() {
        sendTo = ip(REMOTE).getAddress();
        byte[] packet = ipv4(HOST, REMOTE, 17, 64, udp(5000, 53, new byte[] {9, 8, 7}));
        sendAndCheckQuiet(packet);
        byte[] sent = toNet.getFirst();
        assertArrayEquals(Arrays.copyOfRange(packet, 20, packet.length), Arrays.copyOfRange(sent, 20, sent.length));
        assertArrayEquals(Arrays.copyOfRange(packet, 12, 20), Arrays.copyOfRange(sent, 12, 20), "addresses");
        assertEquals(128, sent[8] & 0xFF, "Windows' default TTL");
        assertEquals(1, engine.indications(Layer.ALE_AUTH_CONNECT_V4), "the same flow: not authorized again");
    }

    @Test
    @DisplayName("ddproxy: sent to another address, the clone starts a flow of its own, authorized at ALE_AUTH_CONNECT")
    void redirect() {
        sendTo = ip(PROXY).getAddress();
        sendAndCheckQuiet(ipv4(HOST, REMOTE, 17, 64, udp(5000, 53, new byte[] {9, 8, 7})));
        assertArrayEquals(sendTo, Arrays.copyOfRange(toNet.getFirst(), 16, 20));
        assertEquals(2, engine.indications(Layer.ALE_AUTH_CONNECT_V4), "the original's flow and the proxy's");
        assertEquals(2, router.ip().flows().size());
    }
}
