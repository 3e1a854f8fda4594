package org.nbl4j.io.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a live or interop test needs from the machine, checked in one place: programs on the {@code PATH} (tshark,
 * iperf3, ip, ping, tcpdump, …), root, and the TUN clone device. A test states its needs first thing ({@code
 * TestTools.require("tshark")}).
 *
 * <p>Without {@code CI=true} a missing need skips the test with a message naming it, so a developer without the tools
 * still gets a green build. With {@code CI=true} it <em>fails</em> the test with that message: CI installs every tool
 * ({@code .ci/run} runs {@code scripts/install-test-tools.sh}), so a missing one means the live tests did not run, and
 * CI must not report that as green.
 */
public final class TestTools {
    /** The JVM's own machine, read once. */
    private static final Machine HERE = Machine.current();

    private TestTools() {}

    /** Requires every program named to be on the {@code PATH}. */
    public static void require(String... programs) {
        HERE.require(programs);
    }

    /** Requires root, which network namespaces and capturing need. */
    public static void requireRoot() {
        HERE.requireRoot();
    }

    /** Requires what opening a TUN device needs: root and {@code /dev/net/tun}. */
    public static void requireTun() {
        HERE.requireTun();
    }

    /**
     * Whether an optional program is on the {@code PATH}, for a test that does more with it and still means something
     * without it; under {@code CI=true} a missing one fails the test instead, since CI installs it.
     */
    public static boolean usable(String program) {
        return HERE.usable(program);
    }

    /**
     * One machine's answers: whether it is CI, its {@code PATH}, whether the JVM runs as root, and where the TUN clone
     * device would be. A record so that the rule (skip, or fail under CI) is tested without changing the real
     * environment.
     */
    record Machine(boolean ci, List<Path> path, boolean root, Path tunDevice) {
        static Machine current() {
            return of(System.getenv(), System.getProperty("user.name"), Path.of("/dev/net/tun"));
        }

        static Machine of(Map<String, String> environment, String userName, Path tunDevice) {
            List<Path> path = new ArrayList<>();
            for (String directory : environment.getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (!directory.isEmpty()) {
                    path.add(Path.of(directory));
                }
            }
            return new Machine(
                    "true".equalsIgnoreCase(environment.get("CI")),
                    List.copyOf(path),
                    "root".equals(userName),
                    tunDevice);
        }

        boolean onPath(String program) {
            for (Path directory : path) {
                if (Files.isExecutable(directory.resolve(program))) {
                    return true;
                }
            }
            return false;
        }

        void require(String... programs) {
            List<String> missing = new ArrayList<>();
            for (String program : programs) {
                if (!onPath(program)) {
                    missing.add(program);
                }
            }
            if (!missing.isEmpty()) {
                lacking(String.join(", ", missing) + (missing.size() == 1 ? ", which is" : ", which are")
                        + " not on the PATH");
            }
        }

        void requireRoot() {
            if (!root) {
                lacking("root");
            }
        }

        void requireTun() {
            requireRoot();
            if (!Files.exists(tunDevice)) {
                lacking(tunDevice + " (modprobe tun; in a container, pass the device in)");
            }
        }

        boolean usable(String program) {
            if (onPath(program)) {
                return true;
            }
            if (ci) {
                lacking(program + ", which is not on the PATH");
            }
            return false;
        }

        private void lacking(String what) {
            if (ci) {
                fail("CI=true and this test needs " + what
                        + ": under CI a missing test tool is a failure, not a skip (scripts/install-test-tools.sh)");
            }
            abort("skipped: this test needs " + what + " (scripts/install-test-tools.sh installs the tools)");
        }
    }
}
