package org.nbl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.cli.replay.ReplayObserver;
import org.nbl4j.cli.replay.ReplayResult;
import org.nbl4j.cli.replay.ReplaySummary;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.stack.router.Router;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line end to end: exit statuses 0 (clean), 1 (leak or violation), 2 (bad input), and what is printed. */
class CommandExitStatusTest {
    @TempDir
    Path directory;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(Object command, String... arguments) {
        CommandLine line = new CommandLine(command);
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        return line.execute(arguments);
    }

    private int nbl4j(String... arguments) {
        return execute(new Nbl4jCommand(), arguments);
    }

    @Test
    void runWithoutArgumentsReplaysTheBundledCaptureCleanly() {
        assertEquals(0, nbl4j("run"), err::toString);
        String summary = out.toString();
        assertTrue(summary.contains("replayed bundled capture"), summary);
        assertTrue(summary.contains("forwarded"), summary);
        assertTrue(summary.contains(" Tag  Type"), "the poolmon table");
        assertTrue(summary.endsWith("verdict (verifier standard): no leak, no violation\n"), summary);
    }

    @Test
    void runTakesTheOffloadModeAndSaysWhatBecameOfTheCoalescedPackets() {
        assertEquals(0, nbl4j("run", "--offload", "throughput"), err::toString);
        String summary = out.toString();
        assertTrue(summary.matches("(?s).*\\n  coalesced \\(RSC indications\\) +8\\n.*"), summary);
        assertTrue(summary.matches("(?s).*\\ncoalesced sent with LSO +8\\n.*"), summary);
        assertEquals(2, nbl4j("run", "--offload", "always"));
        assertTrue(err.toString().contains("--offload always: windows, throughput or off"), err::toString);
    }

    @Test
    void quietPrintsOnlyTheVerdict() {
        assertEquals(0, nbl4j("run", "--quiet", "--verifier", "full"));
        assertEquals("verdict (verifier full): no leak, no violation\n", out.toString());
    }

    @Test
    void aCalloutDriverWithADeviceLoadsUnderRunAndWfpFilters() {
        // Its DriverEntry calls IoCreateDevice: the commands bind the stack's I/O manager. A replay serves no socket,
        // so no application opens the device and every packet gets the driver's default verdict (permit) unheld.
        String driver = "org.nbl4j.samples.forwardinject.UserVerdictCallout";
        assertEquals(0, nbl4j("run"), err::toString);
        String forwarded = forwardedLine(out.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, nbl4j("run", "--callout", driver), err::toString);
        assertEquals(forwarded, forwardedLine(out.toString()), "every packet forwarded as without the driver");
        assertTrue(out.toString().endsWith("verdict (verifier standard): no leak, no violation\n"), out::toString);
        assertEquals(0, nbl4j("wfp", "filters", "--callout", driver), err::toString);
    }

    private static String forwardedLine(String summary) {
        return summary.lines()
                .filter(line -> line.startsWith("forwarded "))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aDeviceDirectoryThatCannotBeMadeIsExitStatus2() throws IOException {
        Path file = Files.writeString(directory.resolve("not-a-directory"), "");
        assertEquals(
                2,
                nbl4j(
                        "route",
                        "--interface",
                        "name=r-a,address=192.0.2.1/24",
                        "--device-dir",
                        file.resolve("devices").toString()));
        assertTrue(err.toString().startsWith("nbl4j route: --device-dir " + file.resolve("devices")), err::toString);
    }

    @Test
    void aBadOptionValueIsExitStatus2WithOneLine() {
        assertEquals(2, nbl4j("run", "--interface", "name=r-a,address=192.0.2.1/99"));
        assertEquals(
                "nbl4j run: --interface 'name=r-a,address=192.0.2.1/99': '192.0.2.1/99': prefix length 99 is not"
                        + " within 0..32\n",
                err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void aBadConfigurationLineIsExitStatus2NamingTheLine() throws IOException {
        Path config = Files.write(
                directory.resolve("lab.conf"),
                List.of("interface name=r-a,address=192.0.2.1/24", "route 0.0.0.0/0,via=192.0.2.254,interface=r-c"));
        assertEquals(2, nbl4j("run", "--config", config.toString()));
        assertEquals("nbl4j run: lab.conf:2: unknown interface 'r-c' (known: r-a)\n", err.toString());
    }

    @Test
    void aMissingCaptureAndAnUnknownOptionAreExitStatus2() {
        assertEquals(
                2, nbl4j("poolmon", "--capture", directory.resolve("none.pcap").toString()));
        assertTrue(err.toString().startsWith("nbl4j poolmon: --capture "), err.toString());
        assertEquals(2, nbl4j("run", "--no-such-option"));
        assertEquals(2, nbl4j("poolmon", "--sort", "size"));
        assertEquals(2, nbl4j("nbl", "--switches", "-bogus"));
    }

    @Test
    void calloutClassesAreCheckedThenLoaded() {
        assertEquals(2, nbl4j("run", "--callout", "java.lang.String"));
        assertTrue(err.toString().contains("does not implement org.nbl4j.stack.wfp.CalloutDriver"), err.toString());
        assertEquals(2, nbl4j("run", "--callout", "com.example.Missing"));
        assertTrue(err.toString().contains("no such class"), err.toString());
    }

    @Test
    void theForwardInjectSampleRunsAsACalloutOnTheBundledCapture() {
        assertEquals(0, nbl4j("run", "--callout", "org.nbl4j.samples.forwardinject.ForwardInjectCallout"));
        Matcher injected =
                Pattern.compile("WFP injected / completed +(\\d+) / (\\d+)").matcher(out.toString());
        assertTrue(injected.find(), out.toString());
        assertTrue(Long.parseLong(injected.group(1)) > 0, out.toString());
        assertEquals(injected.group(1), injected.group(2), "every injection completed once (I-2)");
    }

    /** A view that leaves an NBL allocated once the router is drained: the run must end in status 1. */
    @Command(name = "leaky")
    static final class LeakyView extends ReplayCommand {
        @Override
        ReplayObserver observer() {
            return new ReplayObserver() {
                @Override
                public void drained(Router router) {
                    NetBufferListPool pool = router.ndis()
                            .allocateNetBufferListPool(
                                    NetBufferListPoolParameters.of(0, false, 0, PoolTag.of("Lkt2"), 0));
                    pool.allocateNetBufferList(0, 0);
                }
            };
        }

        @Override
        void print(PrintWriter writer, ReplayResult result) {
            writer.print(ReplaySummary.verdict(result));
        }
    }

    @Test
    void aLeakIsExitStatus1AndNamesTheTag() {
        assertEquals(1, execute(new LeakyView()));
        assertTrue(out.toString().contains("LEAK"), out.toString());
        assertTrue(out.toString().contains("tag Lkt2: 1 allocation(s) outstanding"), out.toString());
    }

    @Test
    void poolmonPrintsOnlyTheTable() {
        assertEquals(0, nbl4j("poolmon", "--sort", "allocs", "--include", "Mm*", "--totals"));
        List<String> lines = out.toString().lines().toList();
        assertTrue(lines.getFirst().startsWith(" Tag  Type"), out.toString());
        assertTrue(lines.stream().anyMatch(line -> line.startsWith(" Mmrx Nonp")), out.toString());
        assertTrue(lines.stream().noneMatch(line -> line.startsWith(" Ipic")), "only Mm* tags");
        assertTrue(lines.getLast().startsWith(" Total"), out.toString());
    }

    @Test
    void poolmonDrainedShowsTheReceiveBuffersStillAllocated() {
        assertEquals(0, nbl4j("poolmon", "--drained", "--include", "Mmrx"));
        String row = out.toString()
                .lines()
                .filter(line -> line.startsWith(" Mmrx"))
                .findFirst()
                .orElseThrow();
        // Two miniports of 256 receive buffers each, all allocated while the router is up.
        assertEquals("512", row.trim().split("\\s+")[4], row);
    }

    @Test
    void nblDumpsSampledNblsAndThePendingReport() {
        assertEquals(0, nbl4j("nbl", "--sample", "25", "--pending", "--verifier", "full"));
        String text = out.toString();
        assertTrue(text.contains("transmitted on r-b (NBL 25)"), text);
        assertTrue(text.contains("NET_BUFFER"), "the -data view");
        assertTrue(text.contains("!ndiskd.pendingnbls once the router is drained:\nPHASE 1/3"), text);
    }

    @Test
    void demoBuffersStillWorks() {
        assertEquals(0, nbl4j("demo", "buffers"));
        assertTrue(out.toString().contains("verdict: every tag is back to 0"), out.toString());
    }
}
