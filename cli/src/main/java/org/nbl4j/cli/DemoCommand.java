package org.nbl4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code nbl4j demo}: guided runs that show one part of the data path at a time. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Guided demonstrations of the NDIS model.",
        subcommands = {BufferDemo.class, SampleDemo.LwfReuse.class, SampleDemo.ForwardInject.class})
final class DemoCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
