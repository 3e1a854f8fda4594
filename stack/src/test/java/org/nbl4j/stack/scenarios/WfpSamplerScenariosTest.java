package org.nbl4j.stack.scenarios;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.InjectionState;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.Sublayer;

/** S-WFS-1..7 (wfp-callouts-and-injection §6.4) through the real host, with the §8.4 invariants after each. */
class WfpSamplerScenariosTest {

    /** Every layer's indication count, to show that a forward-injected clone is classified nowhere (I-4). */
    private static long[] indications(ScenarioHost host) {
        long[] counts = new long[Layer.values().length];
        for (Layer layer : Layer.values()) {
            counts[layer.id()] = host.engine.indications(layer);
        }
        return counts;
    }

    @Test
    void swfs1ForwardReinjectionLeavesTheEgressWireAsPlainForwardingWould() {
        byte[] packet = Packets.udpAcross(32);
        try (ScenarioHost host = new ScenarioHost()) {
            Sublayer sampler = host.sublayer(0x7FFF);
            BasicPacketInjection injector = new BasicPacketInjection(host, 5);
            host.callout(Layer.IPFORWARD_V4, sampler, 15, ActionType.CALLOUT_TERMINATING, injector.atForward());

            host.receiveOn1(packet);

            assertEquals(1, host.sentOn2.size());
            assertArrayEquals(
                    Packets.forwarded(packet), host.sentOn2.getFirst(), "TTL decremented once, before IPFORWARD");
            assertEquals(List.of(InjectionState.NOT_INJECTED), injector.states, "the clone is never re-indicated");
            assertEquals(1, host.engine.indications(Layer.IPFORWARD_V4));
            assertEquals(List.of(NtStatus.STATUS_SUCCESS), injector.completions);
            assertEquals(1, host.router.ip().statistics().inspectionAbsorbed());
            host.assertInvariants();
        }
    }
}
