package org.nbl4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.nbl4j.cli.replay.BadInputException;
import org.nbl4j.cli.replay.ConfiguredRouter;
import org.nbl4j.cli.replay.RouterConfig;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.stack.ddk.SystemIo;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ddk.SystemWfp;
import org.nbl4j.stack.ndis.MemoryMiniport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code nbl4j wfp filters}: builds the router a configuration describes, loads its callout drivers (their
 * {@code DriverEntry}), prints every filter the engine then holds as {@code netsh wfp show filters} writes them
 * ({@link FiltersXml}), and unloads the drivers. No packet is sent.
 */
@Command(
        name = "filters",
        mixinStandardHelpOptions = true,
        description = "Loads the configuration's callout drivers and prints the filters they install, in the XML of"
                + " netsh wfp show filters.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the filters were printed", "2:bad input"})
final class WfpFiltersCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    RouterOptions router = new RouterOptions();

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try {
            RouterConfig config = router.routerConfig();
            out.print(FiltersXml.render(installed(config)));
            out.flush();
            return ReplayCommand.CLEAN;
        } catch (BadInputException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("nbl4j wfp filters: " + e.getMessage());
            err.flush();
            return ReplayCommand.BAD_INPUT;
        }
    }

    /** The filters with the drivers loaded, taken before they unload. */
    private static FiltersXml.Snapshot installed(RouterConfig config) throws BadInputException, IOException {
        try (Ndis ndis = ConfiguredRouter.ndis(config);
                SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
            ConfiguredRouter<MemoryMiniport> built = ConfiguredRouter.build(
                    config,
                    ndis,
                    ip -> ip,
                    spec -> MemoryMiniport.builder()
                            .name(spec.name())
                            .mtu(spec.mtu())
                            .build());
            try (SystemWfp.Binding _ = SystemWfp.bind(built.engine());
                    SystemIo.Binding _ = SystemIo.bind(built.io())) {
                built.loadDrivers();
                try {
                    return FiltersXml.Snapshot.of(built.engine());
                } finally {
                    built.unloadDrivers();
                }
            } finally {
                built.router().close();
            }
        }
    }
}
