package org.nbl4j.cli;

import picocli.CommandLine.Command;

/**
 * {@code nbl4j host}: {@code nbl4j route} in the host role (docs/wfp.md, "Host mode"). One TUN device faces the
 * applications of a Linux namespace ({@code --applications}), whose kernel TCP and UDP play Windows' transport; the
 * others face the network and hold the host's addresses. The callout drivers see the host's flows at the ALE,
 * transport and datagram-data layers. Same options, summary and exit status as {@code route}.
 */
@Command(
        name = "host",
        mixinStandardHelpOptions = true,
        description = {
            "Runs live as the Windows stack of the applications behind one TUN device (--applications), the other"
                    + " devices facing the network, until Ctrl-C or --duration; then prints the same summary as run.",
            "Needs root (CAP_NET_ADMIN) and /dev/net/tun. Move the applications' device into their namespace, with the"
                    + " host's address, once it says it is hosting."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:no leak and no violation",
            "1:a leak or a verifier violation",
            "2:bad input (no --applications), or the TUN devices could not be opened"
        })
final class HostCommand extends RouteCommand {
    @Override
    boolean hostRole() {
        return true;
    }
}
