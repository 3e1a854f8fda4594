package org.nbl4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code nbl4j} command: the entry point that dispatches to its subcommands. */
@Command(
        name = "nbl4j",
        mixinStandardHelpOptions = true,
        version = "nbl4j 0.1.0",
        description = "The Windows NDIS/WFP network data path, reproduced in Java.",
        subcommands = {
            RunCommand.class,
            RouteCommand.class,
            HostCommand.class,
            PoolmonCommand.class,
            NblCommand.class,
            DemoCommand.class,
            WfpCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Nbl4jCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Nbl4jCommand()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
