package org.nbl4j.cli.replay;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.VerifierLevel;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * Reads a router configuration from a file and from command-line values, which share one syntax: a configuration line
 * is a keyword followed by what the option of the same name takes ({@code interface name=r-a,address=192.0.2.1/24}
 * is {@code --interface name=r-a,address=192.0.2.1/24}). {@code docs/cli.md} describes the format.
 *
 * <p>Values accumulate: interfaces, routes and callouts from every source are added in order; the last verifier, clone
 * budget and profile given win. {@link #build()} checks what needs the whole picture (unique names, routes through known
 * interfaces) and falls back to {@link RouterConfig#bundled()} when no interface was given at all.
 */
public final class ConfigParser {
    private static final String KEYWORDS =
            "interface, route, callout, verifier, clone-budget, profile, infrastructure, trace, applications";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s)?");
    private static final int MINIMUM_MTU = 68;
    private static final int MAXIMUM_MTU = 65_535;

    private final List<InterfaceSpec> interfaces = new ArrayList<>();
    private final List<String> interfaceSources = new ArrayList<>();
    private final List<RouteSpec> routes = new ArrayList<>();
    private final List<String> routeSources = new ArrayList<>();
    private final List<String> callouts = new ArrayList<>();
    private @Nullable VerifierLevel verifier;
    private @Nullable Duration cloneBudget;
    private @Nullable PlatformProfile profile;
    private final List<String> infrastructure = new ArrayList<>();
    private boolean fullTrace;
    private @Nullable String applications;
    private @Nullable String applicationsSource;

    /** Reads every line of a configuration file. */
    public ConfigParser file(Path file) throws BadInputException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException("cannot read the configuration " + file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            line(file.getFileName() + ":" + (i + 1), lines.get(i));
        }
        return this;
    }

    /**
     * Reads one configuration line; {@code where} names it in error messages (e.g. {@code router.conf:3}). Blank
     * lines and everything from a {@code #} on are ignored.
     */
    public ConfigParser line(String where, String line) throws BadInputException {
        int hash = line.indexOf('#');
        String text = (hash < 0 ? line : line.substring(0, hash)).strip();
        if (text.isEmpty()) {
            return this;
        }
        String[] parts = text.split("\\s+", 2);
        String keyword = parts[0];
        if (parts.length < 2) {
            throw new BadInputException(where + ": '" + keyword + "' needs a value");
        }
        String value = parts[1].strip();
        return switch (keyword) {
            case "interface" -> option(where, "interface", value);
            case "route" -> option(where, "route", value);
            case "callout" -> option(where, "callout", value);
            case "verifier" -> option(where, "verifier", value);
            case "clone-budget" -> option(where, "clone-budget", value);
            case "profile" -> option(where, "profile", value);
            case "infrastructure" -> option(where, "infrastructure", value);
            case "trace" -> option(where, "trace", value);
            case "applications" -> option(where, "applications", value);
            default ->
                throw new BadInputException(
                        where + ": unknown keyword '" + keyword + "' (expected one of " + KEYWORDS + ")");
        };
    }

    /** Reads the value of the command-line option {@code --name}. */
    public ConfigParser option(String name, String value) throws BadInputException {
        return option("--" + name + " '" + value + "'", name, value);
    }

    private ConfigParser option(String where, String name, String value) throws BadInputException {
        try {
            switch (name) {
                case "interface" -> {
                    interfaces.add(parseInterface(value));
                    interfaceSources.add(where);
                }
                case "route" -> {
                    routes.add(parseRoute(value));
                    routeSources.add(where);
                }
                case "callout" -> callouts.add(parseClassName(value));
                case "verifier" -> verifier = parseVerifier(value);
                case "clone-budget" -> cloneBudget = parseDuration(value);
                case "profile" -> profile = parseProfile(value);
                case "infrastructure" -> infrastructure.add(parsePackagePrefix(value));
                case "trace" -> fullTrace = parseTrace(value);
                case "applications" -> {
                    applications = value;
                    applicationsSource = where;
                }
                default -> throw new IllegalArgumentException("unknown setting '" + name + "'");
            }
        } catch (IllegalArgumentException e) {
            throw new BadInputException(where + ": " + e.getMessage(), e);
        }
        return this;
    }

    /** The configuration read so far, checked as a whole; the bundled capture's router if no interface was given. */
    public RouterConfig build() throws BadInputException {
        RouterConfig defaults = RouterConfig.bundled();
        List<InterfaceSpec> chosen = interfaces.isEmpty() ? defaults.interfaces() : interfaces;
        Set<String> names = new HashSet<>();
        for (int i = 0; i < interfaces.size(); i++) {
            if (!names.add(interfaces.get(i).name())) {
                throw new BadInputException(interfaceSources.get(i) + ": a second interface named '"
                        + interfaces.get(i).name() + "'");
            }
        }
        RouterConfig config = new RouterConfig(
                chosen,
                routes,
                callouts,
                verifier != null ? verifier : defaults.verifier(),
                cloneBudget != null ? cloneBudget : defaults.cloneBudget(),
                profile != null ? profile : defaults.profile(),
                infrastructure,
                fullTrace,
                applications);
        if (applications != null && config.interfaceNamed(applications) == null) {
            throw new BadInputException(applicationsSource + ": unknown interface '" + applications + "'");
        }
        for (int i = 0; i < routes.size(); i++) {
            if (config.interfaceNamed(routes.get(i).interfaceName()) == null) {
                throw new BadInputException(routeSources.get(i) + ": unknown interface '"
                        + routes.get(i).interfaceName() + "' (known: "
                        + String.join(
                                ", ",
                                config.interfaces().stream()
                                        .map(InterfaceSpec::name)
                                        .toList()) + ")");
            }
        }
        return config;
    }

    /** {@code name=N,address=CIDR,...,mtu=N,forwarding=on|off}; name is required, address may repeat. */
    static InterfaceSpec parseInterface(String value) {
        String name = null;
        List<Cidr> addresses = new ArrayList<>();
        int mtu = InterfaceSpec.DEFAULT_MTU;
        boolean forwarding = true;
        for (String[] pair : pairs(value)) {
            switch (pair[0]) {
                case "name" -> {
                    if (!pair[1].matches("[A-Za-z0-9._-]+")) {
                        throw new IllegalArgumentException("interface name '" + pair[1]
                                + "' may hold only letters, digits, '.', '_' and '-' (it names a file)");
                    }
                    name = pair[1];
                }
                case "address" -> addresses.add(Cidr.parse(pair[1]));
                case "mtu" -> mtu = parseMtu(pair[1]);
                case "forwarding" -> forwarding = parseSwitch("forwarding", pair[1]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown key '" + pair[0] + "' (expected name, address, mtu, forwarding)");
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("an interface needs name=...");
        }
        return new InterfaceSpec(name, addresses, mtu, forwarding);
    }

    /** {@code CIDR[,via=ADDRESS],interface=NAME}. */
    static RouteSpec parseRoute(String value) {
        String[] items = value.split(",", 2);
        Cidr prefix = Cidr.parse(items[0].strip());
        requireNetwork(prefix);
        InetAddress via = null;
        String interfaceName = null;
        for (String[] pair : items.length < 2 ? List.<String[]>of() : pairs(items[1])) {
            switch (pair[0]) {
                case "via" -> via = Cidr.parseAddress(pair[1]);
                case "interface" -> interfaceName = pair[1];
                default ->
                    throw new IllegalArgumentException("unknown key '" + pair[0] + "' (expected via, interface)");
            }
        }
        if (interfaceName == null) {
            throw new IllegalArgumentException("a route needs interface=...");
        }
        if (via != null && via.getAddress().length != prefix.address().getAddress().length) {
            throw new IllegalArgumentException("next hop " + Cidr.format(via) + " is not of the family of " + prefix);
        }
        return new RouteSpec(prefix, via, interfaceName);
    }

    /** A package or class-name prefix such as {@code com.acme.util.}: Java identifiers separated by dots. */
    static String parsePackagePrefix(String value) {
        if (!value.matches("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}.]*")) {
            throw new IllegalArgumentException("'" + value + "' is not a package or class-name prefix");
        }
        return value;
    }

    /** {@code driver} (the driver's frames and the DDI they called) or {@code full} (every frame as well). */
    static boolean parseTrace(String value) {
        return switch (value) {
            case "driver" -> false;
            case "full" -> true;
            default -> throw new IllegalArgumentException("unknown trace '" + value + "' (expected driver, full)");
        };
    }

    /** {@code off}, {@code standard} or {@code full}. */
    static VerifierLevel parseVerifier(String value) {
        return switch (value) {
            case "off" -> VerifierLevel.OFF;
            case "standard" -> VerifierLevel.STANDARD;
            case "full" -> VerifierLevel.FULL;
            default ->
                throw new IllegalArgumentException(
                        "unknown verifier level '" + value + "' (expected off, standard, full)");
        };
    }

    /**
     * A clone budget: a whole number of milliseconds, with {@code ms} or {@code s} after it ({@code 500ms}, {@code 2s});
     * a bare number is milliseconds.
     */
    static Duration parseDuration(String value) {
        Matcher matcher = DURATION.matcher(value);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a duration (expected e.g. 500ms or 2s)");
        }
        long amount = Long.parseLong(matcher.group(1));
        return "s".equals(matcher.group(2)) ? Duration.ofSeconds(amount) : Duration.ofMillis(amount);
    }

    /** {@code windows10} or {@code windows7}. */
    static PlatformProfile parseProfile(String value) {
        return switch (value) {
            case "windows10" -> PlatformProfile.WINDOWS_10;
            case "windows7" -> PlatformProfile.WINDOWS_7;
            default ->
                throw new IllegalArgumentException("unknown profile '" + value + "' (expected windows10, windows7)");
        };
    }

    /** How {@link #parseVerifier} spells a level. */
    public static String name(VerifierLevel level) {
        return level.name().toLowerCase(Locale.ROOT);
    }

    /** How {@link #parseProfile} spells a profile. */
    public static String name(PlatformProfile profile) {
        return profile == PlatformProfile.WINDOWS_10 ? "windows10" : "windows7";
    }

    private static String parseClassName(String value) {
        if (!value.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
            throw new IllegalArgumentException("'" + value + "' is not a Java class name");
        }
        return value;
    }

    private static int parseMtu(String value) {
        int mtu;
        try {
            mtu = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mtu '" + value + "' is not a number", e);
        }
        if (mtu < MINIMUM_MTU || mtu > MAXIMUM_MTU) {
            throw new IllegalArgumentException("mtu " + mtu + " is not within " + MINIMUM_MTU + ".." + MAXIMUM_MTU);
        }
        return mtu;
    }

    private static boolean parseSwitch(String key, String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(key + " '" + value + "' is neither on nor off");
        };
    }

    /** A route's prefix must be a network: bits past the prefix length set are a typo more often than not. */
    private static void requireNetwork(Cidr prefix) {
        byte[] bytes = prefix.address().getAddress();
        for (int bit = prefix.prefixLength(); bit < bytes.length * 8; bit++) {
            if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                throw new IllegalArgumentException(prefix + " has bits set beyond its prefix length");
            }
        }
    }

    /** Splits {@code key=value,key=value}; every item must have a key and a value. */
    private static List<String[]> pairs(String value) {
        List<String[]> pairs = new ArrayList<>();
        for (String item : value.split(",", -1)) {
            String trimmed = item.strip();
            int equals = trimmed.indexOf('=');
            if (equals <= 0 || equals == trimmed.length() - 1) {
                throw new IllegalArgumentException("'" + trimmed + "' is not key=value");
            }
            pairs.add(new String[] {
                trimmed.substring(0, equals).strip(),
                trimmed.substring(equals + 1).strip()
            });
        }
        return pairs;
    }
}
