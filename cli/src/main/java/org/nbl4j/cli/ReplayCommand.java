package org.nbl4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.nbl4j.cli.replay.BadInputException;
import org.nbl4j.cli.replay.ReplayEngine;
import org.nbl4j.cli.replay.ReplayObserver;
import org.nbl4j.cli.replay.ReplayResult;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * What the replaying subcommands have in common: run the {@link ReplayEngine} with the shared options, let the view
 * print its part, and turn the outcome into the exit status: 0 clean, 1 on a leak or a violation, 2 on bad input.
 */
abstract class ReplayCommand implements Callable<Integer> {
    /** Exit status of a run with no leak and no violation. */
    static final int CLEAN = 0;
    /** Exit status of a run that leaked or broke a rule. */
    static final int DIRTY = 1;
    /** Exit status for input the command cannot use (picocli's usage-error status too). */
    static final int BAD_INPUT = 2;

    @Mixin
    ReplayOptions replay = new ReplayOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public final Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            ReplayEngine engine =
                    new ReplayEngine(replay.routerConfig(), replay.selection(), replay.router.offloadMode());
            ReplayObserver view = observer();
            ReplayObserver observer = ProgressBar.wanted(replay.progress, quiet())
                    ? ProgressBar.combine(new ProgressBar(err), view)
                    : view;
            ReplayResult result = engine.replay(replay.source(), replay.outputDirectory, observer);
            print(out, result);
            out.flush();
            return result.clean() ? CLEAN : DIRTY;
        } catch (BadInputException e) {
            err.println("nbl4j " + spec.name() + ": " + e.getMessage());
            err.flush();
            return BAD_INPUT;
        }
    }

    /** Whether the progress bar must stay off. */
    boolean quiet() {
        return false;
    }

    /** What the view watches during the replay. */
    abstract ReplayObserver observer() throws BadInputException;

    /** Prints the view's output once the replay is over (and writes what else the view writes). */
    abstract void print(PrintWriter out, ReplayResult result) throws IOException;
}
