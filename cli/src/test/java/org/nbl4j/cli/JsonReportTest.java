package org.nbl4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.cli.replay.JsonReport;
import org.nbl4j.cli.replay.ReplayObserver;
import org.nbl4j.cli.replay.ReplayResult;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.stack.ip.IpPoolTags;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code nbl4j run --report FILE.json} (issue 13, must-show 2): the report parses, has exactly the members
 * {@code docs/cli.md} lists with their JSON types (the schema test), and at {@code --verifier=full} the verifier tracked
 * every NBL the run allocated.
 */
class JsonReportTest {
    /** The report's members and their types, as docs/cli.md lists them; arrays give the members of their elements. */
    private static final Map<String, Object> SCHEMA = Map.of(
            "format", JsonNodeType.STRING,
            "command", JsonNodeType.STRING,
            "router",
                    Map.of(
                            "verifier", JsonNodeType.STRING,
                            "cloneBudgetMillis", JsonNodeType.NUMBER,
                            "profile", JsonNodeType.STRING,
                            "interfaces", List.of(JsonNodeType.STRING)),
            "summary",
                    Map.of(
                            "packetsRead", JsonNodeType.NUMBER,
                            "skipped", JsonNodeType.NUMBER,
                            "coalesced", JsonNodeType.NUMBER,
                            "interfaces",
                                    List.of(Map.of(
                                            "name", JsonNodeType.STRING,
                                            "offered", JsonNodeType.NUMBER,
                                            "ipIn", JsonNodeType.NUMBER,
                                            "ipOut", JsonNodeType.NUMBER,
                                            "transmitted", JsonNodeType.NUMBER,
                                            "retried", JsonNodeType.NUMBER)),
                            "forwarded", JsonNodeType.NUMBER,
                            "deliveredLocally", JsonNodeType.NUMBER,
                            "discards", JsonNodeType.NUMBER,
                            "wfpInjected", JsonNodeType.NUMBER,
                            "wfpCompleted", JsonNodeType.NUMBER,
                            "elapsedNanos", JsonNodeType.NUMBER),
            "poolmon",
                    List.of(Map.of(
                            "tag", JsonNodeType.STRING,
                            "allocs", JsonNodeType.NUMBER,
                            "frees", JsonNodeType.NUMBER,
                            "diff", JsonNodeType.NUMBER,
                            "bytes", JsonNodeType.NUMBER,
                            "tracked", JsonNodeType.NUMBER)),
            "violations",
                    List.of(Map.of(
                            "rule", JsonNodeType.STRING,
                            "section", JsonNodeType.STRING,
                            "site", JsonNodeType.STRING,
                            "count", JsonNodeType.NUMBER,
                            "detail", JsonNodeType.STRING,
                            "allocation?", JsonNodeType.STRING)),
            "leaks",
                    List.of(Map.of(
                            "tag", JsonNodeType.STRING, "site", JsonNodeType.STRING, "count", JsonNodeType.NUMBER)),
            "verdict",
                    Map.of(
                            "clean", JsonNodeType.BOOLEAN,
                            "leaked", JsonNodeType.BOOLEAN,
                            "violations", JsonNodeType.NUMBER));

    @TempDir
    Path directory;

    @Test
    @DisplayName(
            "run --verifier=full --report: the schema holds, and tracked NBLs == allocated NBLs for every NBL pool")
    void fullTracksEveryNbl() throws IOException {
        Path file = directory.resolve("r.json");
        StringWriter err = new StringWriter();
        CommandLine line = new CommandLine(new Nbl4jCommand());
        line.setOut(new PrintWriter(new StringWriter(), true));
        line.setErr(new PrintWriter(err, true));
        assertEquals(0, line.execute("run", "--verifier=full", "--quiet", "--report", file.toString()), err::toString);

        JsonNode report = new ObjectMapper().readTree(file.toFile());
        List<String> problems = new ArrayList<>();
        check("", SCHEMA, report, problems);
        assertEquals(List.of(), problems, report::toPrettyString);
        assertEquals(JsonReport.FORMAT, report.get("format").asText());
        assertEquals("full", report.at("/router/verifier").asText());
        assertTrue(report.at("/verdict/clean").asBoolean());
        assertEquals(8, report.at("/summary/coalesced").asLong(), "the bundled capture's super-segments");

        Set<String> nblPools = Set.of(
                MemoryMiniport.RECEIVE_TAG.toString(),
                IpPoolTags.PACKET_NBLS.toString(),
                IpPoolTags.FRAGMENT_NBLS.toString());
        long allocated = 0;
        for (JsonNode row : report.get("poolmon")) {
            if (nblPools.contains(row.get("tag").asText())) {
                assertEquals(row.get("allocs").asLong(), row.get("tracked").asLong(), row::toString);
                allocated += row.get("allocs").asLong();
            }
        }
        assertTrue(allocated > 0, "the run allocated NBLs");
    }

    /** A view that leaks two NBLs and frees one twice, twice, from the same lines, and prints the JSON report. */
    @Command(name = "broken")
    static final class BrokenView extends ReplayCommand {
        @Override
        ReplayObserver observer() {
            return new ReplayObserver() {
                @Override
                public void drained(Router router) {
                    NetBufferListPool pool = router.ndis()
                            .allocateNetBufferListPool(NetBufferListPoolParameters.of(0, false, 0, LEAKED, 0));
                    for (int i = 0; i < 2; i++) {
                        pool.allocateNetBufferList(0, 0);
                        NetBufferList freedTwice = pool.allocateNetBufferList(0, 0);
                        freedTwice.free();
                        freedTwice.free();
                    }
                }
            };
        }

        @Override
        void print(PrintWriter writer, ReplayResult result) {
            writer.print(JsonReport.render(result));
        }
    }

    private static final PoolTag LEAKED = PoolTag.of("Lkt3");

    @Test
    @DisplayName("violations are grouped by rule and site with a count; leaks by tag and allocation site")
    void groupsViolationsAndLeaks() throws IOException {
        StringWriter out = new StringWriter();
        CommandLine line = new CommandLine(new BrokenView());
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(new StringWriter(), true));
        assertEquals(1, line.execute("--verifier", "full"));

        JsonNode report = new ObjectMapper().readTree(out.toString());
        List<String> problems = new ArrayList<>();
        check("", SCHEMA, report, problems);
        assertEquals(List.of(), problems, report::toPrettyString);
        JsonNode violations = report.get("violations");
        assertEquals(1, violations.size(), violations::toPrettyString);
        assertEquals(2, violations.get(0).get("count").asInt());
        assertEquals(2, report.at("/verdict/violations").asInt());
        List<JsonNode> leaks = new ArrayList<>();
        report.get("leaks").forEach(leaks::add);
        JsonNode leak = leaks.stream()
                .filter(each -> each.get("tag").asText().equals(LEAKED.toString()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(report.toPrettyString()));
        assertEquals(2, leak.get("count").asInt());
        assertTrue(leak.get("site").asText().contains("JsonReportTest"), leak::toString);
        assertTrue(report.at("/verdict/leaked").asBoolean());
    }

    /** Compares a node with its schema: exact member names (a name ending in ? is optional) and types. */
    private static void check(String path, Object schema, JsonNode node, List<String> problems) {
        switch (schema) {
            case JsonNodeType type -> {
                if (node.getNodeType() != type) {
                    problems.add(path + " is " + node.getNodeType() + ", not " + type);
                }
            }
            case List<?> elements -> {
                if (!node.isArray()) {
                    problems.add(path + " is not an array");
                    return;
                }
                for (int i = 0; i < node.size(); i++) {
                    check(path + "/" + i, elements.getFirst(), node.get(i), problems);
                }
            }
            case Map<?, ?> members -> {
                if (!node.isObject()) {
                    problems.add(path + " is not an object");
                    return;
                }
                Set<String> required = new TreeSet<>();
                Set<String> allowed = new TreeSet<>();
                members.forEach((name, type) -> {
                    String key = (String) name;
                    boolean optional = key.endsWith("?");
                    String member = optional ? key.substring(0, key.length() - 1) : key;
                    allowed.add(member);
                    if (!optional) {
                        required.add(member);
                    }
                    if (node.has(member)) {
                        check(path + "/" + member, type, node.get(member), problems);
                    }
                });
                Set<String> present = new TreeSet<>();
                node.fieldNames().forEachRemaining(present::add);
                if (!present.containsAll(required) || !allowed.containsAll(present)) {
                    problems.add(path + " has " + present + ", expected " + required + " (optional: " + allowed + ")");
                }
            }
            default -> throw new IllegalArgumentException("schema " + schema);
        }
    }
}
