package org.nbl4j.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Lines of the samples' sources, found by what they contain: tests that expect a report to name a sample's line read
 * its number here instead of hard-coding one that moves with every edit.
 */
public final class SampleSource {
    private SampleSource() {}

    /**
     * {@code File.java:<line>} of the first line of {@code file} (under {@code org/nbl4j/samples/}) containing
     * {@code marker}.
     */
    public static String line(String file, String marker) throws IOException {
        Path source = Path.of("src/main/java/org/nbl4j/samples", file);
        List<String> lines = Files.readAllLines(source);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                return source.getFileName() + ":" + (i + 1);
            }
        }
        throw new AssertionError("no " + marker + " in " + source);
    }
}
