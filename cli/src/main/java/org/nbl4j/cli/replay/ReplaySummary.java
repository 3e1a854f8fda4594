package org.nbl4j.cli.replay;

import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.nbl4j.core.diagnostics.PoolmonTable;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.BufferTrack;
import org.nbl4j.core.verify.ViolationReport;
import org.nbl4j.stack.ip.IpDiscardReason;
import org.nbl4j.stack.ip.IpStatistics;

/**
 * The text {@code nbl4j run} prints about a {@link ReplayResult} and {@code nbl4j route} about a {@link RouterReport}:
 * the router, the counts, poolmon and the verdict.
 */
public final class ReplaySummary {
    private static final int VIOLATIONS_SHOWN = 10;

    private ReplaySummary() {}

    /** The whole summary of a replay. */
    public static String render(ReplayResult result) {
        StringBuilder out = new StringBuilder();
        header(out, "replayed " + result.source().describe() + " through", result.config());
        replayCounts(out, result);
        router(out, result.router(), "offered", "retried", "replay time");
        return out.toString();
    }

    /**
     * The whole summary of a live run ({@code nbl4j route}): the same router, IP, WFP, poolmon and verdict sections as
     * a replay's, with the miniports' received packets and receive discards as the first and last interface columns.
     */
    public static String renderLive(RouterReport report) {
        StringBuilder out = new StringBuilder();
        header(out, "routed live through", report.config());
        router(out, report, "received", "dropped", "run time");
        return out.toString();
    }

    private static void header(StringBuilder out, String headline, RouterConfig config) {
        out.append(headline)
                .append(' ')
                .append(config.interfaces().size())
                .append(" interface(s), verifier ")
                .append(ConfigParser.name(config.verifier()))
                .append(", profile ")
                .append(ConfigParser.name(config.profile()))
                .append('\n');
        for (InterfaceSpec spec : config.interfaces()) {
            StringJoiner addresses = new StringJoiner(" ");
            spec.addresses().forEach(address -> addresses.add(address.toString()));
            out.append(String.format(
                    "  %-8s %s  mtu %d  forwarding %s%n",
                    spec.name(), addresses, spec.mtu(), spec.forwarding() ? "on" : "off"));
        }
        for (RouteSpec route : config.routes()) {
            out.append(String.format(
                    "  route %s%s via interface %s%n",
                    route.prefix(),
                    route.via() == null ? "" : " next hop " + Cidr.format(route.via()),
                    route.interfaceName()));
        }
    }

    private static void replayCounts(StringBuilder out, ReplayResult result) {
        out.append('\n');
        row(out, "packets read", result.packetsRead());
        row(out, "skipped", result.totalSkipped());
        for (Map.Entry<SkipReason, Long> skip : result.skipped().entrySet()) {
            if (skip.getValue() > 0) {
                row(out, "  " + skip.getKey().description(), skip.getValue());
            }
        }
        long offered = 0;
        for (InterfaceResult each : result.interfaces()) {
            offered += each.offered();
        }
        row(out, "offered to the router", offered);
        if (result.coalesced() > 0) {
            row(out, "  coalesced (RSC indications)", result.coalesced());
        }
    }

    private static void router(
            StringBuilder out, RouterReport result, String offeredLabel, String retriedLabel, String timeLabel) {
        out.append('\n');
        out.append(String.format(
                "  %-10s %9s %9s %9s %12s %9s%n",
                "interface", offeredLabel, "IP in", "IP out", "transmitted", retriedLabel));
        for (InterfaceResult each : result.interfaces()) {
            out.append(String.format(
                    "  %-10s %9d %9d %9d %12d %9d%n",
                    each.name(), each.offered(), each.ipIn(), each.ipOut(), each.transmitted(), each.retried()));
        }
        out.append('\n');
        IpStatistics ip = result.ip();
        row(out, "forwarded", ip.forwarded());
        row(out, "delivered locally", ip.delivered());
        row(out, "echo replies sent", ip.echoRepliesSent());
        row(out, "ICMP errors sent", ip.icmpErrorsSent());
        if (ip.resetsSent() > 0) {
            row(out, "TCP resets sent", ip.resetsSent());
        }
        if (ip.icmpRateLimited() > 0) {
            row(out, "ICMP errors rate-limited", ip.icmpRateLimited());
        }
        if (ip.datagramsFragmented() > 0) {
            row(out, "packets fragmented", ip.datagramsFragmented());
            row(out, "fragments created", ip.fragmentsCreated());
        }
        if (ip.largeSends() > 0 || ip.segmentsCreated() > 0) {
            row(out, "coalesced sent with LSO", ip.largeSends());
            row(out, "segments cut in software", ip.segmentsCreated());
        }
        if (ip.reassembled() > 0 || ip.reassemblyTimeouts() > 0) {
            row(out, "datagrams reassembled", ip.reassembled());
            row(out, "reassembly timeouts", ip.reassemblyTimeouts());
        }
        row(out, "discards", ip.totalDiscards());
        for (IpDiscardReason reason : IpDiscardReason.values()) {
            long count = ip.discards(reason);
            if (count > 0) {
                row(out, "  " + reason.ddiName(), count);
            }
        }
        WfpCounts wfp = result.wfp();
        out.append(String.format("%-32s %d / %d%n", "WFP injected / completed", wfp.injections(), wfp.completions()));
        out.append(String.format("%-32s%n", "WFP indications by layer"));
        wfp.indications().forEach((layer, count) -> row(out, "  " + layer.name(), count));
        out.append(String.format("%-32s %.1f ms%n", timeLabel, result.elapsedNanos() / 1e6));
        out.append('\n').append("poolmon once the router is closed (every Diff 0 unless something leaked):\n");
        out.append(PoolmonTable.create().render(result.poolUsage()));
        out.append('\n').append(verdict(result));
    }

    /** The verifier's verdict on a replay. */
    public static String verdict(ReplayResult result) {
        return verdict(result.router());
    }

    /**
     * The verifier's findings and verdict, top-down: each violation once per rule and driver line with its count, the
     * leaks by tag and by the driver's allocating line, and the verdict line last, which gives the exit status.
     */
    public static String verdict(RouterReport result) {
        StringBuilder out = new StringBuilder();
        String level = ConfigParser.name(result.config().verifier());
        if (result.clean()) {
            return out.append("verdict (verifier ")
                    .append(level)
                    .append("): no leak, no violation\n")
                    .toString();
        }
        List<ViolationReport.Group> groups =
                ViolationReport.of(result.violations()).groups();
        for (int i = 0; i < Math.min(VIOLATIONS_SHOWN, groups.size()); i++) {
            out.append(groups.get(i).describe());
        }
        if (groups.size() > VIOLATIONS_SHOWN) {
            out.append("... and ")
                    .append(groups.size() - VIOLATIONS_SHOWN)
                    .append(" more rule(s) or line(s) with violations\n");
        }
        result.poolUsage()
                .outstanding()
                .forEach(usage -> out.append(String.format(
                        "tag %s: %d allocation(s) outstanding, %d bytes%n", usage.tag(), usage.diff(), usage.bytes())));
        for (Map.Entry<PoolTag, List<BufferTrack>> tag : result.leaks().byTag().entrySet()) {
            out.append(String.format(
                    "tag %s: %d tracked buffer(s) outstanding%n",
                    tag.getKey(), tag.getValue().size()));
        }
        for (List<BufferTrack> site : result.leaks().bySite().values()) {
            BufferTrack first = site.getFirst();
            out.append(String.format(
                    "%d x %s [%s] allocated at %s%n",
                    site.size(),
                    first.description(),
                    first.tag(),
                    first.allocation().headline()));
        }
        out.append("verdict (verifier ")
                .append(level)
                .append("): ")
                .append(result.leaked() ? "LEAK" : "no leak")
                .append(", ")
                .append(result.violations().size())
                .append(" violation(s)\n");
        return out.toString();
    }

    private static void row(StringBuilder out, String label, long value) {
        out.append(String.format("%-32s %d%n", label, value));
    }
}
