package org.nbl4j.samples.forwardinject;

import java.io.PrintStream;
import java.util.HexFormat;
import java.util.List;
import org.nbl4j.core.diagnostics.PoolmonTable;
import org.nbl4j.core.verify.ViolationReport;
import org.nbl4j.samples.forwardinject.ForwardInjectRun.Report;

/**
 * {@code nbl4j demo forward-inject}: the forward-layer callout of seeds 000 and 002 on a two-interface router (what
 * left the egress wire, injections and completions, originals returned, poolmon at shutdown), then the variant that
 * holds its clones, with the watchdog's report and a dump of a held clone.
 */
public final class ForwardInjectDemo {
    /** Packets each run receives, alternating IPv4 and IPv6. */
    public static final int PACKETS = 6;

    private ForwardInjectDemo() {}

    /**
     * Runs the demo, printing to {@code out}.
     *
     * @return 0 when the callout forwarded every packet modified and left nothing behind and the holding variant was
     *     caught, 1 otherwise
     */
    public static int run(PrintStream out) {
        List<byte[]> packets = ForwardInjectRun.mixedPackets(PACKETS);
        Report prompt = ForwardInjectRun.run(new ForwardInjectCallout(), packets);
        out.printf(
                "Forward-inject callout (deep clone, DSCP %d, absorb, FwpsInjectForwardAsync0), %d packets in on wire1%n",
                ForwardInjectCallout.NEW_DSCP, packets.size());
        HexFormat hex = HexFormat.ofDelimiter(" ");
        for (byte[] packet : prompt.egress()) {
            int headerBytes = (packet[0] >> 4) == 4 ? 20 : 40;
            out.println("  wire2 <- " + hex.formatHex(packet, 0, headerBytes));
        }
        out.printf(
                "injected %d, completed %d (%d failed); wire1 receive buffers free %d of %d; violations %d%n",
                prompt.injected(),
                prompt.completed(),
                prompt.failedCompletions(),
                prompt.receiveBuffersFree(),
                prompt.receiveBuffers(),
                prompt.violations().size());
        out.println("poolmon at shutdown (empty means nothing leaked):");
        out.println(PoolmonTable.create().render(prompt.poolsAtShutdown()));

        Report holding = ForwardInjectRun.run(new HoldingForwardCallout(), packets);
        out.printf(
                "Holding variant: clones held %d ms against a budget of %d ms; the watchdog reported %d%n",
                ForwardInjectRun.VERDICT_DELAY.toMillis(),
                ForwardInjectRun.CLONE_BUDGET.toMillis(),
                holding.heldClones().size());
        out.print(ViolationReport.of(holding.violations()).describe());
        out.println("!ndiskd.nbl -parents -NblCurrentOwner of the first held clone:");
        out.println(holding.heldCloneDump());

        boolean asExpected = prompt.egress().size() == PACKETS
                && prompt.injected() == prompt.completed()
                && prompt.violations().isEmpty()
                && prompt.receiveBuffersFree() == prompt.receiveBuffers()
                && prompt.poolsAtShutdown().outstanding().isEmpty()
                && holding.heldClones().size() == PACKETS
                && holding.poolsAtShutdown().outstanding().isEmpty();
        out.println(
                asExpected
                        ? "verdict: the prompt callout forwards every packet and leaves nothing behind; the holding"
                                + " variant is caught by the watchdog"
                        : "verdict: NOT as expected (see above)");
        return asExpected ? 0 : 1;
    }
}
