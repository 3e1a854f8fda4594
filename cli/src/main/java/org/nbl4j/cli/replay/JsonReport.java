package org.nbl4j.cli.replay;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.PoolUsage;
import org.nbl4j.core.verify.BufferTrack;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationReport;
import org.nbl4j.stack.ip.IpStatistics;

/**
 * The machine-readable report {@code nbl4j run --report FILE.json} and {@code nbl4j route --report FILE.json} write:
 * the router, the summary counts, poolmon (with how many allocations of each tag the verifier tracked), violations
 * grouped by rule and site, leaks grouped by tag and allocation site, and the verdict. {@code docs/cli.md} describes
 * each member; the format's name, {@link #FORMAT}, changes when a member changes meaning or goes away.
 */
public final class JsonReport {
    /** The {@code format} member: the report's kind and version. */
    public static final String FORMAT = "nbl4j-report/1";

    private JsonReport() {}

    /** The report of a replay ({@code nbl4j run}). */
    public static String render(ReplayResult result) {
        return render("run", result, result.router());
    }

    /** The report of a live run ({@code nbl4j route}). */
    public static String renderLive(RouterReport report) {
        return render("route", null, report);
    }

    private static String render(String command, @Nullable ReplayResult replay, RouterReport report) {
        JsonWriter json = new JsonWriter().beginObject();
        json.name("format").value(FORMAT);
        json.name("command").value(command);
        router(json, report.config());
        summary(json, replay, report);
        poolmon(json, report);
        violations(json, report.violations());
        leaks(json, report);
        verdict(json, report);
        return json.endObject().toString();
    }

    private static void router(JsonWriter json, RouterConfig config) {
        json.name("router").beginObject();
        json.name("verifier").value(ConfigParser.name(config.verifier()));
        json.name("cloneBudgetMillis").value(config.cloneBudget().toMillis());
        json.name("profile").value(ConfigParser.name(config.profile()));
        json.name("interfaces").beginArray();
        config.interfaces().forEach(spec -> json.value(spec.name()));
        json.endArray().endObject();
    }

    private static void summary(JsonWriter json, @Nullable ReplayResult replay, RouterReport report) {
        json.name("summary").beginObject();
        if (replay != null) {
            json.name("packetsRead").value(replay.packetsRead());
            json.name("skipped").value(replay.totalSkipped());
            json.name("coalesced").value(replay.coalesced());
        }
        json.name("interfaces").beginArray();
        for (InterfaceResult each : report.interfaces()) {
            json.beginObject();
            json.name("name").value(each.name());
            json.name("offered").value(each.offered());
            json.name("ipIn").value(each.ipIn());
            json.name("ipOut").value(each.ipOut());
            json.name("transmitted").value(each.transmitted());
            json.name("retried").value(each.retried());
            json.endObject();
        }
        json.endArray();
        IpStatistics ip = report.ip();
        json.name("forwarded").value(ip.forwarded());
        json.name("deliveredLocally").value(ip.delivered());
        json.name("discards").value(ip.totalDiscards());
        json.name("wfpInjected").value(report.wfp().injections());
        json.name("wfpCompleted").value(report.wfp().completions());
        json.name("elapsedNanos").value(report.elapsedNanos());
        json.endObject();
    }

    private static void poolmon(JsonWriter json, RouterReport report) {
        json.name("poolmon").beginArray();
        for (PoolUsage usage : report.poolUsage().usages()) {
            json.beginObject();
            json.name("tag").value(usage.tag().toString());
            json.name("allocs").value(usage.allocs());
            json.name("frees").value(usage.frees());
            json.name("diff").value(usage.diff());
            json.name("bytes").value(usage.bytes());
            json.name("tracked").value(report.tracked().getOrDefault(usage.tag(), 0L));
            json.endObject();
        }
        json.endArray();
    }

    /**
     * Equal rules broken at the same driver line are one entry with a count ({@link ViolationReport}, the grouping the
     * text verdict shows), as poolmon groups allocations by tag.
     */
    private static void violations(JsonWriter json, List<Violation> violations) {
        json.name("violations").beginArray();
        for (ViolationReport.Group group : ViolationReport.of(violations).groups()) {
            Violation first = group.first();
            json.beginObject();
            json.name("rule").value(first.rule().name());
            json.name("section").value(first.rule().section());
            json.name("site").value(first.site().where());
            json.name("count").value(group.count());
            json.name("detail").value(first.detail());
            BufferTrack buffer = first.buffer();
            if (buffer != null) {
                json.name("allocation").value(buffer.allocation().where());
            }
            json.endObject();
        }
        json.endArray();
    }

    private static void leaks(JsonWriter json, RouterReport report) {
        Map<PoolTag, Map<String, Integer>> byTagAndSite = new TreeMap<>();
        for (BufferTrack track : report.leaks().outstanding()) {
            byTagAndSite
                    .computeIfAbsent(track.tag(), _ -> new TreeMap<>())
                    .merge(track.allocation().where(), 1, Integer::sum);
        }
        json.name("leaks").beginArray();
        byTagAndSite.forEach((tag, sites) -> sites.forEach((site, count) -> {
            json.beginObject();
            json.name("tag").value(tag.toString());
            json.name("site").value(site);
            json.name("count").value(count);
            json.endObject();
        }));
        json.endArray();
    }

    private static void verdict(JsonWriter json, RouterReport report) {
        json.name("verdict").beginObject();
        json.name("clean").value(report.clean());
        json.name("leaked").value(report.leaked());
        json.name("violations").value(report.violations().size());
        json.endObject();
    }
}
