package org.nbl4j.samples.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Lines of the samples' sources, found by what they contain: tests that expect a report to name a sample's line read
 * its number here instead of hard-coding one that moves with every edit. The samples' tests and the cli's (through
 * this module's test jar) share it; each runs in its own module's directory, a sibling of {@code samples}.
 */
public final class SampleSource {
    private static final Path SOURCES = Path.of("src", "main", "java", "org", "nbl4j", "samples");

    private SampleSource() {}

    /**
     * {@code File.java:<line>} of the first line of {@code file} (under {@code org/nbl4j/samples/}) containing
     * {@code marker}.
     */
    public static String line(String file, String marker) throws IOException {
        Path source = sources().resolve(file);
        List<String> lines = Files.readAllLines(source);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                return source.getFileName() + ":" + (i + 1);
            }
        }
        throw new AssertionError("no " + marker + " in " + source);
    }

    /** The samples' source folder, from the samples module's directory or a sibling module's (the cli's). */
    private static Path sources() {
        Path here = SOURCES;
        return Files.isDirectory(here) ? here : Path.of("..", "samples").resolve(SOURCES);
    }
}
