package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Keeps the table "IRQL rule of each DDI" of docs/verifier.md true: every public static method of every public class of
 * the {@code ddk} facade has a row, and every row names such a method, so a DDI added to the facade without its IRQL
 * rule, or one removed, fails the build.
 */
class FacadeIrqlTableTest {
    private static final Path VERIFIER_DOC = Path.of("..", "docs", "verifier.md");
    private static final Pattern ROW = Pattern.compile("^\\| (\\w+) \\| `(\\w+)` \\|", Pattern.MULTILINE);

    /** {@code Class.method} for each public static method of the facade's public classes, found on the class path. */
    private static Set<String> facadeMethods() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(NdisH.class.getResource("NdisH.class").toURI()).getParent();
        Set<String> methods = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$") || name.equals("package-info.class")) {
                    continue;
                }
                Class<?> type = Class.forName(
                        NdisH.class.getPackageName() + "." + name.substring(0, name.length() - ".class".length()));
                if (!Modifier.isPublic(type.getModifiers())) {
                    continue;
                }
                for (Method method : type.getDeclaredMethods()) {
                    int modifiers = method.getModifiers();
                    if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers)) {
                        methods.add(type.getSimpleName() + "." + method.getName());
                    }
                }
            }
        }
        return methods;
    }

    private static Set<String> tableRows() throws IOException {
        String section = Files.readString(VERIFIER_DOC);
        int start = section.indexOf("## IRQL rule of each DDI");
        assertTrue(start >= 0, "docs/verifier.md has the section");
        int end = section.indexOf("\n## ", start + 1);
        Matcher row = ROW.matcher(end < 0 ? section.substring(start) : section.substring(start, end));
        Set<String> rows = new TreeSet<>();
        while (row.find()) {
            rows.add(row.group(1) + "." + row.group(2));
        }
        return rows;
    }

    @Test
    @DisplayName("every public static method of the ddk facade has its IRQL rule in docs/verifier.md, and no other row")
    void tableListsTheFacade() throws Exception {
        Set<String> facade = facadeMethods();
        assertTrue(facade.contains("NdisH.NdisFSendNetBufferLists"), "the scan found the facade: " + facade);
        assertTrue(facade.contains("Fwpsk.FwpsInjectForwardAsync0"), "the scan found the facade: " + facade);
        Set<String> rows = tableRows();

        Set<String> missing = new TreeSet<>(facade);
        missing.removeAll(rows);
        assertEquals(Set.of(), missing, "facade methods without a row in \"IRQL rule of each DDI\"");
        Set<String> stale = new TreeSet<>(rows);
        stale.removeAll(facade);
        assertEquals(Set.of(), stale, "rows naming no facade method");
    }
}
