package org.nbl4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code nbl4j wfp}: views of the filter engine, like {@code netsh wfp show}. */
@Command(
        name = "wfp",
        mixinStandardHelpOptions = true,
        description = "Shows what the filter engine holds, like netsh wfp show.",
        subcommands = {WfpFiltersCommand.class})
final class WfpCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
