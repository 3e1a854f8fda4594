package org.nbl4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.nbl4j.samples.forwardinject.ForwardInjectDemo;
import org.nbl4j.samples.lwfreuse.LwfReuseDemo;
import picocli.CommandLine;

/** A demo that runs one of the samples and prints what it shows; the exit status is the sample's. */
abstract class SampleDemo implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the sample, printing to {@code out}; returns its exit status. */
    abstract int runSample(PrintStream out);

    @Override
    public Integer call() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int status;
        try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            status = runSample(out);
        }
        spec.commandLine().getOut().print(buffer.toString(StandardCharsets.UTF_8));
        spec.commandLine().getOut().flush();
        return status;
    }

    /** {@code nbl4j demo lwf-reuse}: the seed-001 driver that recycles its send NBLs, under both profiles. */
    @CommandLine.Command(
            name = "lwf-reuse",
            mixinStandardHelpOptions = true,
            description = "The forum thread's LWF that reuses its NBLs: Wfpn grows on Windows 10, not on Windows 7;"
                    + " the corrected driver keeps it at 0.")
    static final class LwfReuse extends SampleDemo {
        @Override
        int runSample(PrintStream out) {
            return LwfReuseDemo.run(out);
        }
    }

    /** {@code nbl4j demo forward-inject}: the forward-layer deep-clone-and-inject callout of seeds 000 and 002. */
    @CommandLine.Command(
            name = "forward-inject",
            mixinStandardHelpOptions = true,
            description =
                    "A forward-layer callout deep-clones, modifies, absorbs and forward-injects packets; a variant"
                            + " that holds its clones trips the watchdog.")
    static final class ForwardInject extends SampleDemo {
        @Override
        int runSample(PrintStream out) {
            return ForwardInjectDemo.run(out);
        }
    }
}
