package org.nbl4j.stack.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nbl4j.stack.ip.IpDiscardReason;
import org.nbl4j.stack.wfp.ActionType;
import org.nbl4j.stack.wfp.ClassifyFn;
import org.nbl4j.stack.wfp.Filter;
import org.nbl4j.stack.wfp.Layer;
import org.nbl4j.stack.wfp.Sublayer;

/**
 * API-9 (§4.7, §9 items 2-4) end to end: filters at IPFORWARD_V4 decide whether a forwarded packet leaves wire2, and
 * filters at INBOUND_IPPACKET_V4 whether an echo request to the router is answered on wire1.
 */
class ArbitrationScenariosTest {

    /** One row of the matrix: the filters it adds to the two sublayers of a layer. */
    private record Row(String name, boolean passes, long vetoes, Setup setup) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    private interface Setup {
        void add(ScenarioHost host, Layer layer, Sublayer high, Sublayer low);
    }

    /** A callout that returns {@code action}, clearing the write right if {@code hard} (only with the right). */
    private static ClassifyFn decides(ActionType action, boolean hard) {
        return (values, metadata, nbl, context, filter, flow, out) -> {
            if (!out.hasWriteRight() && action != ActionType.BLOCK) {
                return;
            }
            out.setActionType(action);
            if (hard) {
                out.clearWriteRight();
            }
        };
    }

    private static final List<Row> ROWS = List.of(
            new Row("no filter: permit", true, 0, (host, layer, high, low) -> {}),
            new Row("static block is hard", false, 0, (host, layer, high, low) -> {
                host.filter(layer, high, 1, ActionType.BLOCK, 0);
                host.filter(layer, low, 1, ActionType.PERMIT, 0);
            }),
            new Row("soft permit overridden by a lower sublayer's block", false, 0, (host, layer, high, low) -> {
                host.filter(layer, high, 1, ActionType.PERMIT, 0);
                host.filter(layer, low, 1, ActionType.BLOCK, 0);
            }),
            new Row("hard permit stands against a static block", true, 0, (host, layer, high, low) -> {
                host.filter(layer, high, 1, ActionType.PERMIT, Filter.FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT);
                host.filter(layer, low, 1, ActionType.BLOCK, 0);
            }),
            new Row("callout block vetoes a hard permit", false, 1, (host, layer, high, low) -> {
                host.filter(layer, high, 1, ActionType.PERMIT, Filter.FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT);
                host.callout(layer, low, 1, ActionType.CALLOUT_TERMINATING, decides(ActionType.BLOCK, true));
            }),
            new Row("soft callout block overridden by a lower permit", true, 0, (host, layer, high, low) -> {
                host.callout(layer, high, 1, ActionType.CALLOUT_TERMINATING, decides(ActionType.BLOCK, false));
                host.filter(layer, low, 1, ActionType.PERMIT, 0);
            }),
            new Row("hard callout block is final", false, 0, (host, layer, high, low) -> {
                host.callout(layer, high, 1, ActionType.CALLOUT_TERMINATING, decides(ActionType.BLOCK, true));
                host.filter(layer, low, 1, ActionType.PERMIT, 0);
            }),
            new Row("CONTINUE passes to the next filter of the sublayer", false, 0, (host, layer, high, low) -> {
                host.callout(layer, high, 9, ActionType.CALLOUT_UNKNOWN, decides(ActionType.CONTINUE, false));
                host.filter(layer, high, 1, ActionType.BLOCK, 0);
            }),
            new Row("an inspection callout cannot block", true, 0, (host, layer, high, low) -> {
                host.callout(layer, high, 1, ActionType.CALLOUT_INSPECTION, decides(ActionType.BLOCK, true));
            }),
            new Row("the heaviest filter of a sublayer decides", true, 0, (host, layer, high, low) -> {
                host.filter(layer, high, 10, ActionType.PERMIT, 0);
                host.filter(layer, high, 5, ActionType.BLOCK, 0);
            }),
            new Row("the heavier sublayer decides first", false, 0, (host, layer, high, low) -> {
                host.filter(layer, low, 1, ActionType.PERMIT, Filter.FWPS_FILTER_FLAG_CLEAR_ACTION_RIGHT);
                host.filter(layer, high, 1, ActionType.BLOCK, 0);
            }));

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (Layer layer : List.of(Layer.IPFORWARD_V4, Layer.INBOUND_IPPACKET_V4)) {
            for (Row row : ROWS) {
                cases.add(Arguments.of(layer, row));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("matrix")
    void api9(Layer layer, Row row) {
        try (ScenarioHost host = new ScenarioHost()) {
            row.setup().add(host, layer, host.sublayer(0x9000), host.sublayer(0x1000));
            Consumer<ScenarioHost> traffic = layer == Layer.IPFORWARD_V4
                    ? h -> h.receiveOn1(Packets.udpAcross(16))
                    : h -> h.receiveOn1(Packets.echoRequestTo("192.0.2.1", 1));

            traffic.accept(host);

            List<byte[]> egress = layer == Layer.IPFORWARD_V4 ? host.sentOn2 : host.sentOn1;
            assertEquals(row.passes() ? 1 : 0, egress.size(), "packets on the egress wire");
            assertEquals(row.vetoes(), host.engine.vetoes());
            assertEquals(
                    row.passes() ? 0 : 1,
                    host.router.ip().statistics().discards(IpDiscardReason.INSPECTION_DROP),
                    "a filter BLOCK is an INSPECTION_DROP discard, shown at the discard twin");
            host.assertInvariants();
        }
    }
}
