package org.nbl4j.io.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class TestToolsTest {
    @TempDir
    Path bin;

    private TestTools.Machine machine(boolean ci, boolean root, Path tunDevice) throws IOException {
        Path tshark = Files.createFile(bin.resolve("tshark"));
        Files.setPosixFilePermissions(tshark, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new TestTools.Machine(ci, List.of(bin), root, tunDevice);
    }

    @Test
    void withoutCiAMissingToolSkipsTheTestNamingIt() throws IOException {
        TestTools.Machine laptop = machine(false, true, bin);
        TestAbortedException skipped =
                assertThrows(TestAbortedException.class, () -> laptop.require("tshark", "iperf3"));
        assertTrue(skipped.getMessage().contains("needs iperf3, which is not on the PATH"), skipped.getMessage());
        assertDoesNotThrow(() -> laptop.require("tshark"));
        assertFalse(laptop.usable("iperf3"), "an optional tool is only reported missing");
    }

    @Test
    void underCiAMissingToolFailsTheTestNamingIt() throws IOException {
        TestTools.Machine ci = machine(true, true, bin);
        AssertionFailedError failed = assertThrows(AssertionFailedError.class, () -> ci.require("iperf3"));
        assertTrue(failed.getMessage().startsWith("CI=true and this test needs iperf3"), failed.getMessage());
        assertThrows(AssertionFailedError.class, () -> ci.usable("capinfos"));
        assertTrue(ci.usable("tshark"));
    }

    @Test
    void underCiNoRootOrNoTunDeviceFails() throws IOException {
        Path absent = bin.resolve("no-tun");
        AssertionFailedError notRoot = assertThrows(
                AssertionFailedError.class, () -> machine(true, false, bin).requireTun());
        assertTrue(notRoot.getMessage().contains("needs root"), notRoot.getMessage());
        AssertionFailedError noTun = assertThrows(
                AssertionFailedError.class, () -> new TestTools.Machine(true, List.of(), true, absent).requireTun());
        assertTrue(noTun.getMessage().contains("needs " + absent), noTun.getMessage());
        assertThrows(
                TestAbortedException.class, () -> new TestTools.Machine(false, List.of(), true, absent).requireTun());
    }

    @Test
    void ciAndThePathComeFromTheEnvironment() {
        TestTools.Machine read = TestTools.Machine.of(Map.of("CI", "true", "PATH", "/usr/bin::/bin"), "root", bin);
        assertEquals(new TestTools.Machine(true, List.of(Path.of("/usr/bin"), Path.of("/bin")), true, bin), read);
        assertFalse(TestTools.Machine.of(Map.of(), "someone", bin).ci(), "CI unset is not CI");
        assertFalse(TestTools.Machine.of(Map.of("CI", "false"), "root", bin).ci());
    }
}
