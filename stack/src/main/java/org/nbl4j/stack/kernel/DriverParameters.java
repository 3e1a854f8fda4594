package org.nbl4j.stack.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * A driver's {@code Parameters} registry key ({@code HKLM\System\CurrentControlSet\Services\<driver>\Parameters}): the
 * values an LWF reads with {@code NdisOpenConfigurationEx}/{@code NdisReadConfiguration} and a KMDF driver with
 * {@code WdfDriverOpenParametersRegistryKey}/{@code WdfRegistryQueryULong}. nbl4j has no registry, so they come from a
 * map or a file the user gives; for the WDF key, the file the system property {@value #PROPERTY} names.
 *
 * <p>The file's format: one value a line, {@code Name = value}; blank lines and lines starting with {@code #} or
 * {@code ;} are ignored; surrounding double quotes are removed from a value. Names are case-insensitive, as the
 * registry's are. Without a file, or with an empty one, the key has no values, as for a fresh install.
 */
public final class DriverParameters {
    /** The system property that names the WDF parameters file. */
    public static final String PROPERTY = "nbl4j.parameters";

    /** No parameters: every read finds nothing. */
    public static final DriverParameters NONE = new DriverParameters(Map.of());

    private final Map<String, String> values;

    private DriverParameters(Map<String, String> given) {
        TreeMap<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.putAll(given);
        this.values = byName;
    }

    /** The parameters {@code values} holds, name to value. */
    public static DriverParameters of(Map<String, String> values) {
        return new DriverParameters(values);
    }

    /**
     * The parameters of the file {@link #PROPERTY} names, or {@link #NONE}.
     *
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if a line is not {@code Name = value}
     */
    public static DriverParameters fromProperty() {
        String file = System.getProperty(PROPERTY);
        return file == null ? NONE : read(Path.of(file));
    }

    /**
     * The parameters of {@code file}.
     *
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if a line is not {@code Name = value}, naming the file and the line
     */
    public static DriverParameters read(Path file) {
        Map<String, String> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
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
                values.put(text.substring(0, equals).strip(), value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("driver parameters " + file, e);
        }
        return new DriverParameters(values);
    }

    /** The value of {@code name} as a string ({@code NdisParameterString}, {@code REG_SZ}), if there is one. */
    public Optional<String> string(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /**
     * The value of {@code name} as a ULONG in {@code radix} 10 ({@code NdisParameterInteger}) or 16
     * ({@code NdisParameterHexInteger}, with or without {@code 0x}); empty when absent or not a number of 32 bits.
     */
    public OptionalInt integer(String name, int radix) {
        String value = values.get(name);
        if (value == null) {
            return OptionalInt.empty();
        }
        String digits = radix == 16 && hexadecimal(value) ? value.substring(2) : value;
        try {
            return OptionalInt.of(Integer.parseUnsignedInt(digits, radix));
        } catch (NumberFormatException notANumber) {
            return OptionalInt.empty();
        }
    }

    /**
     * The value of {@code name} as a {@code REG_DWORD}: a {@code 0x} hexadecimal or a decimal number of 32 bits, as the
     * {@code int} that holds the ULONG's bits; empty when absent or not such a number.
     */
    public OptionalInt dword(String name) {
        String value = values.get(name);
        return value == null ? OptionalInt.empty() : integer(name, hexadecimal(value) ? 16 : 10);
    }

    private static boolean hexadecimal(String value) {
        return value.regionMatches(true, 0, "0x", 0, 2);
    }
}
