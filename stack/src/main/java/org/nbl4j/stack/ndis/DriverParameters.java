package org.nbl4j.stack.ndis;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A driver's parameters, the values Windows keeps under the service's {@code Parameters} registry key and a driver reads
 * with {@code NdisOpenConfigurationEx} and {@code NdisReadConfiguration}: keyword to value, from a map or a properties
 * file the user gives. Keywords are case-insensitive, as registry value names are.
 */
public final class DriverParameters {
    /** No parameters: every read finds nothing. */
    public static final DriverParameters NONE = new DriverParameters(Map.of());

    private final Map<String, String> values;

    private DriverParameters(Map<String, String> given) {
        TreeMap<String, String> byKeyword = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byKeyword.putAll(given);
        this.values = byKeyword;
    }

    /** The parameters {@code values} holds, keyword to value. */
    public static DriverParameters of(Map<String, String> values) {
        return new DriverParameters(values);
    }

    /** The parameters of a properties file ({@code Keyword=value} lines, UTF-8). */
    public static DriverParameters load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        TreeMap<String, String> values = new TreeMap<>();
        properties
                .stringPropertyNames()
                .forEach(name -> values.put(name, properties.getProperty(name).trim()));
        return new DriverParameters(values);
    }

    /** The value of {@code keyword} as a string ({@code NdisParameterString}), if there is one. */
    public Optional<String> string(String keyword) {
        return Optional.ofNullable(values.get(keyword));
    }

    /**
     * The value of {@code keyword} as a ULONG in {@code radix} 10 ({@code NdisParameterInteger}) or 16
     * ({@code NdisParameterHexInteger}, with or without {@code 0x}); empty when absent or not a number.
     */
    public OptionalInt integer(String keyword, int radix) {
        String value = values.get(keyword);
        if (value == null) {
            return OptionalInt.empty();
        }
        String digits = radix == 16 && value.regionMatches(true, 0, "0x", 0, 2) ? value.substring(2) : value;
        try {
            return OptionalInt.of(Integer.parseUnsignedInt(digits, radix));
        } catch (NumberFormatException notANumber) {
            return OptionalInt.empty();
        }
    }
}
