package org.nbl4j.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Bugcheck;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.RuleFixes;
import org.nbl4j.stack.device.DeviceRule;
import org.nbl4j.stack.kernel.KernelRule;
import org.nbl4j.stack.ndis.NdisRule;
import org.nbl4j.stack.wfp.WfpRule;

/**
 * The rule tables of {@code docs/verifier.md} are generated from the rule enums, so that they cannot go stale: this
 * test renders them and compares. Run it with {@code -Dnbl4j.docs.write=true} to rewrite the tables after changing a
 * rule ({@code ./mvnw -o -pl stack -am test -Dtest=RuleTableTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dnbl4j.docs.write=true}).
 */
class RuleTableTest {
    private static final Path VERIFIER_DOC = Path.of("..", "docs", "verifier.md");
    private static final String BEGIN =
            "<!-- rule tables: generated from the rule enums by RuleTableTest; do not edit -->";
    private static final String END = "<!-- end of rule tables -->";

    /** One enum of rules, with the words the docs introduce it with. */
    private record Declared(String heading, List<? extends Rule> rules) {}

    private static final List<Declared> DECLARED = List.of(
            new Declared("Core's buffer rules, `org.nbl4j.core.verify.BufferRule`", List.of(BufferRule.values())),
            new Declared("The stack's NDIS rules, `org.nbl4j.stack.ndis.NdisRule`", List.of(NdisRule.values())),
            new Declared("The stack's WFP rules, `org.nbl4j.stack.wfp.WfpRule`", List.of(WfpRule.values())),
            new Declared(
                    "The kernel's spin lock and wait rules, `org.nbl4j.stack.kernel.KernelRule`",
                    List.of(KernelRule.values())),
            new Declared(
                    "The stack's device and IRP rules, `org.nbl4j.stack.device.DeviceRule`",
                    List.of(DeviceRule.values())));

    @Test
    @DisplayName("docs/verifier.md lists every rule with its kind, section, summary and bugcheck, as the enums say")
    void docsListTheRulesOfTheEnums() throws IOException {
        String doc = Files.readString(VERIFIER_DOC, StandardCharsets.UTF_8);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertTrue(begin >= 0 && end > begin, "docs/verifier.md has the rule table markers");
        String written = doc.substring(begin + BEGIN.length(), end);
        String generated = tables();
        if (Boolean.getBoolean("nbl4j.docs.write")) {
            Files.writeString(
                    VERIFIER_DOC,
                    doc.substring(0, begin + BEGIN.length()) + generated + doc.substring(end),
                    StandardCharsets.UTF_8);
            return;
        }
        assertEquals(generated, written, "rerun with -Dnbl4j.docs.write=true to regenerate docs/verifier.md's tables");
    }

    @Test
    @DisplayName("every rule of every layer has a one-line fix for the report's headline")
    void everyRuleHasAFix() {
        for (Declared declared : DECLARED) {
            for (Rule rule : declared.rules()) {
                String fix = RuleFixes.of(rule);
                assertTrue(!fix.startsWith("see ") && !fix.contains("\n"), () -> rule.name() + ": " + fix);
            }
        }
    }

    private static String tables() {
        StringBuilder text = new StringBuilder("\n");
        for (Declared declared : DECLARED) {
            text.append('\n').append(declared.heading()).append(":\n\n");
            text.append("| rule | kind | section | what it forbids | Windows bugcheck |\n");
            text.append("|---|---|---|---|---|\n");
            for (Rule rule : declared.rules()) {
                text.append("| `")
                        .append(rule.name())
                        .append("` | ")
                        .append(rule.kind().name().toLowerCase(Locale.ROOT))
                        .append(" | ")
                        .append(rule.section())
                        .append(" | ")
                        .append(rule.summary())
                        .append(" | ")
                        .append(bugcheck(rule.bugcheck(0)))
                        .append(" |\n");
            }
        }
        return text.append('\n').toString();
    }

    /** As {@code !analyze} names it: code, name and the first parameter where the rule fixes one. */
    private static String bugcheck(@Nullable Bugcheck bugcheck) {
        if (bugcheck == null) {
            return "";
        }
        String text =
                "0x" + Integer.toHexString(bugcheck.code()).toUpperCase(Locale.ROOT) + " `" + bugcheck.name() + "`";
        return bugcheck.parameter1() == 0
                ? text
                : text + ", 0x" + Long.toHexString(bugcheck.parameter1()).toUpperCase(Locale.ROOT);
    }
}
