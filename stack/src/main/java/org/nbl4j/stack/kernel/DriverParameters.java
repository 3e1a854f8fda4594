package org.nbl4j.stack.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A driver's {@code Parameters} registry key ({@code HKLM\System\CurrentControlSet\Services\<driver>\Parameters}), read
 * from a file the user gives, since nbl4j has no registry: the file named by the system property
 * {@value #PROPERTY}, read when the driver opens the key ({@code WdfDriverOpenParametersRegistryKey}).
 *
 * <p>The format: one value a line, {@code Name = value}; blank lines and lines starting with {@code #} or {@code ;}
 * are ignored. A value that is a decimal number or a {@code 0x} hexadecimal one is a {@code REG_DWORD} (32 bits,
 * unsigned: up to {@code 0xFFFFFFFF}); anything else is a {@code REG_SZ}, with surrounding double quotes removed, which
 * {@code WdfRegistryQueryULong} does not find (no string query is ported yet). Names
 * are case-insensitive, as the registry's are. Without the property, or with an empty file, the key has no values and
 * every query answers {@code STATUS_OBJECT_NAME_NOT_FOUND}, as for a fresh install.
 */
public final class DriverParameters {
    /** The system property that names the file. */
    public static final String PROPERTY = "nbl4j.parameters";

    private final Map<String, String> values;

    private DriverParameters(Map<String, String> values) {
        this.values = values;
    }

    /**
     * The parameters of the file {@link #PROPERTY} names, or none.
     *
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if a line is not {@code Name = value}
     */
    public static DriverParameters fromProperty() {
        String file = System.getProperty(PROPERTY);
        return file == null ? new DriverParameters(Map.of()) : read(Path.of(file));
    }

    /**
     * The parameters of {@code file}.
     *
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if a line is not {@code Name = value}
     */
    public static DriverParameters read(Path file) {
        Map<String, String> values = new LinkedHashMap<>();
        try {
            int number = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                number++;
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#") || text.startsWith(";")) {
                    continue;
                }
                int equals = text.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException(file + ":" + number + ": not Name = value: " + line);
                }
                String value = text.substring(equals + 1).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                values.put(key(text.substring(0, equals).strip()), value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("driver parameters " + file, e);
        }
        return new DriverParameters(values);
    }

    /**
     * A {@code REG_DWORD} value, as the {@code int} that holds the ULONG's bits.
     *
     * @return the value, or {@code null} if there is no such value or it is not a number of 32 bits
     */
    public @Nullable Integer dword(String name) {
        String value = values.get(key(name));
        if (value == null) {
            return null;
        }
        try {
            long number = value.regionMatches(true, 0, "0x", 0, 2)
                    ? Long.parseLong(value.substring(2), 16)
                    : Long.parseLong(value);
            return number >= 0 && number <= 0xFFFF_FFFFL ? (int) number : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
