package org.nbl4j.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.verify.VerifierLevel;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.wfp.PlatformProfile;

class ConfigParserTest {
    @TempDir
    Path directory;

    private Path file(String... lines) throws IOException {
        return Files.write(directory.resolve("router.conf"), List.of(lines));
    }

    @Test
    void aFileWithEveryKeywordBuildsTheRouterItDescribes() throws Exception {
        RouterConfig config = new ConfigParser()
                .file(file(
                        "# the bundled router, with a default route",
                        "",
                        "interface name=r-a,address=192.0.2.1/24,address=2001:db8:1::1/64   # towards host A",
                        "interface name=r-b, address=198.51.100.1/24, mtu=9000, forwarding=off",
                        "route 0.0.0.0/0,via=198.51.100.254,interface=r-b",
                        "route 2001:db8:9::/48,interface=r-a",
                        "callout com.example.Blocker",
                        "verifier full",
                        "clone-budget 2s",
                        "profile windows7"))
                .build();

        assertEquals(2, config.interfaces().size());
        InterfaceSpec a = config.interfaces().get(0);
        assertEquals("r-a", a.name());
        assertEquals(List.of(Cidr.parse("192.0.2.1/24"), Cidr.parse("2001:db8:1::1/64")), a.addresses());
        assertEquals(1500, a.mtu());
        assertTrue(a.forwarding());
        InterfaceSpec b = config.interfaces().get(1);
        assertEquals(9000, b.mtu());
        assertFalse(b.forwarding());
        assertEquals(2, config.routes().size());
        assertEquals("198.51.100.254", Cidr.format(config.routes().get(0).via()));
        assertNull(config.routes().get(1).via());
        assertEquals("2001:db8:9::/48", config.routes().get(1).prefix().toString());
        assertEquals(List.of("com.example.Blocker"), config.callouts());
        assertEquals(VerifierLevel.FULL, config.verifier());
        assertEquals(Duration.ofSeconds(2), config.cloneBudget());
        assertEquals(PlatformProfile.WINDOWS_7, config.profile());
    }

    @Test
    void theCloneBudgetIsMillisecondsOrSeconds() throws Exception {
        assertEquals(Duration.ofSeconds(1), new ConfigParser().build().cloneBudget(), "the verifier's default");
        assertEquals(
                Duration.ofMillis(250),
                new ConfigParser().option("clone-budget", "250ms").build().cloneBudget());
        assertEquals(
                Duration.ofMillis(40),
                new ConfigParser().option("clone-budget", "40").build().cloneBudget());
        BadInputException bad =
                assertThrows(BadInputException.class, () -> new ConfigParser().option("clone-budget", "soon"));
        assertEquals("--clone-budget 'soon': 'soon' is not a duration (expected e.g. 500ms or 2s)", bad.getMessage());
    }

    @Test
    void optionsUseTheSameSyntaxAndAddToTheFile() throws Exception {
        RouterConfig config = new ConfigParser()
                .file(file("interface name=r-a,address=192.0.2.1/24", "verifier off"))
                .option("interface", "name=r-b,address=198.51.100.1/24")
                .option("route", "203.0.113.0/24,via=198.51.100.2,interface=r-b")
                .option("verifier", "standard")
                .build();
        assertEquals(
                List.of("r-a", "r-b"),
                config.interfaces().stream().map(InterfaceSpec::name).toList());
        assertEquals(1, config.routes().size());
        assertEquals(VerifierLevel.STANDARD, config.verifier(), "the last verifier given wins");
    }

    @Test
    void infrastructurePrefixesAndTheFullTraceReachTheVerifiersSettings() throws Exception {
        RouterConfig config = new ConfigParser()
                .file(file("infrastructure com.acme.util.", "trace full"))
                .option("infrastructure", "com.acme.log.")
                .build();
        assertEquals(List.of("com.acme.util.", "com.acme.log."), config.infrastructure());
        assertTrue(config.fullTrace());
        try (Ndis ndis = ConfiguredRouter.ndis(config)) {
            VerifierSettings settings = ndis.verifier().settings();
            assertTrue(settings.fullTrace());
            assertFalse(settings.frames().isDriver("com.acme.util.Lists"));
            assertTrue(settings.frames().isDriver("com.acme.driver.Lwf"));
        }
        assertFalse(RouterConfig.bundled().fullTrace(), "the driver's frames only, by default");
        BadInputException error =
                assertThrows(BadInputException.class, () -> new ConfigParser().option("trace", "all"));
        assertEquals("--trace 'all': unknown trace 'all' (expected driver, full)", error.getMessage());
    }

    @Test
    void withoutInterfacesTheBundledCapturesRouterIsUsed() throws Exception {
        RouterConfig config = new ConfigParser().option("verifier", "full").build();
        assertEquals(RouterConfig.bundled().interfaces(), config.interfaces());
        assertEquals(VerifierLevel.FULL, config.verifier());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "interfaces name=x                               | unknown keyword 'interfaces'",
                "interface name=x,adress=192.0.2.1/24            | unknown key 'adress'",
                "interface name=x,address=192.0.2.1              | not in CIDR notation",
                "interface name=x,address=192.0.2.300/24         | '192.0.2.300' is not an IPv4 address",
                "interface name=x,address=192.0.2.1/33           | prefix length 33",
                "interface name=x,address=2001:db8::1/129        | prefix length 129",
                "interface name=x,address=host.example/24        | not an IPv4 or IPv6 address",
                "interface address=192.0.2.1/24                  | needs name=",
                "interface name=a/b                              | may hold only letters",
                "interface name=x,mtu=12                         | mtu 12 is not within",
                "interface name=x,mtu=big                        | mtu 'big' is not a number",
                "interface name=x,forwarding=yes                 | neither on nor off",
                "interface name=x,,mtu=1500                      | is not key=value",
                "route 192.0.2.0/24                              | needs interface=",
                "route 192.0.2.1/24,interface=x                  | bits set beyond its prefix length",
                "route 192.0.2.0/24,via=2001:db8::1,interface=x  | not of the family",
                "route 192.0.2.0/24,gateway=1.2.3.4,interface=x  | unknown key 'gateway'",
                "verifier paranoid                               | unknown verifier level 'paranoid'",
                "profile windows11                               | unknown profile 'windows11'",
                "callout not a class                             | not a Java class name",
                "verifier                                        | needs a value",
            })
    void aBadLineIsRefusedWithItsFileAndLineNumber(String line, String problem) throws IOException {
        Path config = file("# line 1 is fine", line);
        BadInputException error = assertThrows(
                BadInputException.class, () -> new ConfigParser().file(config).build());
        assertTrue(error.getMessage().startsWith("router.conf:2: "), error.getMessage());
        assertTrue(error.getMessage().contains(problem), error.getMessage());
        assertFalse(error.getMessage().contains("\n"), "one line");
    }

    @Test
    void aRouteThroughAnUnknownInterfaceNamesItsLine() throws IOException {
        Path config = file("interface name=r-a,address=192.0.2.1/24", "route 203.0.113.0/24,interface=r-z");
        BadInputException error = assertThrows(
                BadInputException.class, () -> new ConfigParser().file(config).build());
        assertEquals("router.conf:2: unknown interface 'r-z' (known: r-a)", error.getMessage());
    }

    @Test
    void aSecondInterfaceOfTheSameNameIsRefused() throws IOException {
        Path config = file("interface name=r-a", "interface name=r-a");
        BadInputException error = assertThrows(
                BadInputException.class, () -> new ConfigParser().file(config).build());
        assertEquals("router.conf:2: a second interface named 'r-a'", error.getMessage());
    }

    @Test
    void anOptionValueIsNamedInItsMessage() {
        BadInputException error = assertThrows(
                BadInputException.class, () -> new ConfigParser().option("interface", "name=x,address=nope"));
        assertEquals(
                "--interface 'name=x,address=nope': 'nope' is not in CIDR notation (address/prefix-length)",
                error.getMessage());
    }

    @Test
    void ipv6AddressesPrintCompressed() {
        assertEquals(
                "2001:db8:1::1/64",
                Cidr.parse("2001:0db8:0001:0000:0000:0000:0000:0001/64").toString());
        assertEquals("::/0", Cidr.parse("::/0").toString());
        assertEquals(
                "2001:db8::1:0:0:1/128", Cidr.parse("2001:db8:0:0:1:0:0:1/128").toString());
    }
}
