package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Keeps the DDI table of docs/architecture.md ("The DDIs of the facade": facade, DDI, implemented by, IRQL rule, source,
 * checked in) true: every public static method of every public class of the {@code ddk} facade has a row, every row
 * names such a method, and the class a row says implements the DDI exists and is one the facade method calls (or the
 * facade class itself, for a macro). A DDI added to the facade without its row, one removed, or an implementation
 * moved to another class fails the build. Each facade class must also say where its family differs from Windows (a
 * line of the section's second table, linking to headings that exist).
 */
class FacadeDdiTableTest {
    private static final Path ARCHITECTURE_DOC = Path.of("..", "docs", "architecture.md");
    private static final String SECTION = "## The DDIs of the facade";
    private static final Pattern ROW = Pattern.compile("^\\| (\\w+) \\| `(\\w+)` \\| `(\\w+)` \\|", Pattern.MULTILINE);
    /** A row of the table of where each facade class's family differs: the class, then links, not a DDI in backticks. */
    private static final Pattern DIFFERENCES_ROW =
            Pattern.compile("^\\| (\\w+) \\| ([^`|][^|]*) \\|$", Pattern.MULTILINE);

    private static final Pattern LINK = Pattern.compile("\\]\\(([\\w.-]*)#([\\w-]+)\\)");

    private static JavaClasses facade;

    @BeforeAll
    static void importFacade() {
        facade = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(NdisH.class.getPackageName());
    }

    /** The facade's public static methods ({@code Class.method}), each with every method it is: overloads share a row. */
    private static Map<String, Set<JavaMethod>> facadeMethods() {
        Map<String, Set<JavaMethod>> methods = new TreeMap<>();
        for (JavaClass type : facade) {
            if (!type.getPackageName().equals(NdisH.class.getPackageName())
                    || !type.getModifiers().contains(JavaModifier.PUBLIC)
                    || type.isNestedClass()) {
                continue;
            }
            for (JavaMethod method : type.getMethods()) {
                if (method.getModifiers().contains(JavaModifier.PUBLIC)
                        && method.getModifiers().contains(JavaModifier.STATIC)) {
                    methods.computeIfAbsent(type.getSimpleName() + "." + method.getName(), _ -> new HashSet<>())
                            .add(method);
                }
            }
        }
        return methods;
    }

    /** The text of the section, from its heading to the next. */
    private static String section() throws IOException {
        String doc = Files.readString(ARCHITECTURE_DOC);
        int start = doc.indexOf(SECTION);
        assertTrue(start >= 0, "docs/architecture.md has the section " + SECTION);
        int end = doc.indexOf("\n## ", start + 1);
        return end < 0 ? doc.substring(start) : doc.substring(start, end);
    }

    /** {@code Class.method} of each row, with the simple name of the class the row says implements it. */
    private static Map<String, String> tableRows() throws IOException {
        Matcher row = ROW.matcher(section());
        Map<String, String> rows = new TreeMap<>();
        while (row.find()) {
            rows.put(row.group(1) + "." + row.group(2), row.group(3));
        }
        return rows;
    }

    /** The classes a facade method reaches directly: the owners of what it calls, constructs or reads. */
    private static Set<JavaClass> reached(Set<JavaMethod> overloads) {
        Set<JavaClass> classes = new HashSet<>();
        for (JavaMethod method : overloads) {
            classes.add(method.getOwner());
            for (JavaAccess<?> access : method.getAccessesFromSelf()) {
                classes.add(access.getTargetOwner());
            }
        }
        return classes;
    }

    @Test
    @DisplayName("every public static method of the ddk facade has a row in docs/architecture.md, and no other row")
    void tableListsTheFacade() throws IOException {
        Set<String> methods = facadeMethods().keySet();
        assertTrue(methods.contains("NdisH.NdisFSendNetBufferLists"), "the import found the facade: " + methods);
        assertTrue(methods.contains("Fwpsk.FwpsInjectForwardAsync0"), "the import found the facade: " + methods);
        Set<String> rows = tableRows().keySet();

        Set<String> missing = new TreeSet<>(methods);
        missing.removeAll(rows);
        assertEquals(Set.of(), missing, "facade methods without a row in \"" + SECTION + "\"");
        Set<String> stale = new TreeSet<>(rows);
        stale.removeAll(methods);
        assertEquals(Set.of(), stale, "rows naming no facade method");
    }

    @Test
    @DisplayName("the class each row says implements a DDI exists and is called by the facade method")
    void implementedByIsWhatTheFacadeCalls() throws Exception {
        Map<String, Set<JavaMethod>> methods = facadeMethods();
        Set<String> wrong = new TreeSet<>();
        for (Map.Entry<String, String> row : tableRows().entrySet()) {
            Set<JavaMethod> overloads = methods.get(row.getKey());
            if (overloads == null) {
                continue; // a stale row: tableListsTheFacade names it
            }
            JavaClass implementation = reached(overloads).stream()
                    .filter(type -> type.getSimpleName().equals(row.getValue()))
                    .findFirst()
                    .orElse(null);
            if (implementation == null) {
                wrong.add(row.getKey() + " does not call " + row.getValue());
            } else {
                // The name resolves to a class that loads: it exists, not only in the import's view.
                Class.forName(implementation.getName(), false, getClass().getClassLoader());
            }
        }
        assertEquals(Set.of(), wrong, "rows whose \"implemented by\" is not what the facade method calls");
    }

    @Test
    @DisplayName("every facade class with rows says where its family differs from Windows, linking to a heading that"
            + " exists")
    void everyFamilySaysWhereItDiffers() throws IOException {
        Map<String, String> differences = new TreeMap<>();
        Matcher row = DIFFERENCES_ROW.matcher(section());
        while (row.find()) {
            if (!row.group(1).equals("facade")) { // the header
                differences.put(row.group(1), row.group(2));
            }
        }
        Set<String> facades = new TreeSet<>();
        for (String ddi : tableRows().keySet()) {
            facades.add(ddi.substring(0, ddi.indexOf('.')));
        }
        Set<String> unsaid = new TreeSet<>(facades);
        unsaid.removeAll(differences.keySet());
        assertEquals(Set.of(), unsaid, "facade classes without a line in the table of where they differ");

        Set<String> broken = new TreeSet<>();
        for (Map.Entry<String, String> family : differences.entrySet()) {
            Matcher link = LINK.matcher(family.getValue());
            boolean linked = false;
            while (link.find()) {
                linked = true;
                Path doc = link.group(1).isEmpty() ? ARCHITECTURE_DOC : ARCHITECTURE_DOC.resolveSibling(link.group(1));
                if (!Files.exists(doc) || !headingAnchors(Files.readString(doc)).contains(link.group(2))) {
                    broken.add(family.getKey() + " -> " + link.group(1) + "#" + link.group(2));
                }
            }
            if (!linked) {
                broken.add(family.getKey() + " links nowhere");
            }
        }
        assertEquals(Set.of(), broken, "links to headings that do not exist");
    }

    /** The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces as hyphens. */
    private static Set<String> headingAnchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        for (String line : markdown.split("\n")) {
            if (line.startsWith("#")) {
                String text = line.replaceFirst("^#+\\s*", "").toLowerCase(java.util.Locale.ROOT);
                anchors.add(text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }
}
