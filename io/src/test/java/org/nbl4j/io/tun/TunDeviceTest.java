package org.nbl4j.io.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.io.testing.Commands;
import org.nbl4j.io.testing.TestTools;

class TunDeviceTest {

    @Test
    void aMissingCloneDeviceSaysSoWithErrnoAndRemedy(@TempDir Path directory) {
        Path missing = directory.resolve("no-such-tun");
        TunException thrown = assertThrows(TunException.class, () -> TunDevice.open(missing, "nbtmissing", 1, true));
        assertEquals(Libc.ENOENT, thrown.errno());
        assertEquals("ENOENT", thrown.errnoName());
        String message = thrown.getMessage();
        assertTrue(message.contains("open(" + missing + ")"), message);
        assertTrue(message.contains("ENOENT (No such file or directory)"), message);
        assertTrue(message.contains("modprobe tun"), message);
    }

    @Test
    void aCloneDeviceThatIsNotTunRefusesTheInterfaceRequest(@TempDir Path directory) throws Exception {
        // A regular file opens, but TUNSETIFF on it fails: the error names the ioctl and the errno (ENOTTY).
        Path notTun = Files.createFile(directory.resolve("plain-file"));
        TunException thrown = assertThrows(TunException.class, () -> TunDevice.open(notTun, "nbtplain", 2, true));
        assertEquals("ENOTTY", thrown.errnoName());
        assertTrue(thrown.getMessage().startsWith("ioctl(TUNSETIFF, 'nbtplain', queue 0) failed: ENOTTY"));
    }

    @Test
    void aNameLongerThanFifteenBytesIsRefusedBeforeAnyCall() {
        IllegalArgumentException thrown =
                assertThrows(IllegalArgumentException.class, () -> TunDevice.open("nbl4j-sixteen-ch", 1, true));
        assertTrue(thrown.getMessage().contains("is 16 bytes long; Linux allows at most 15"), thrown.getMessage());
    }

    @Test
    void aDeviceNeedsAQueue() {
        assertThrows(IllegalArgumentException.class, () -> TunDevice.open("nbtnone", 0, true));
    }

    @Test
    void theKernelExpandsAPatternAndReportsIndexAndQueues() throws Exception {
        TestTools.requireTun();
        try (TunDevice device = TunDevice.open("nbt%d", 2, true)) {
            assertTrue(device.name().matches("nbt\\d+"), device.name());
            assertEquals(2, device.queueCount());
            assertTrue(device.ifIndex() > 0);
            String link = Commands.run("ip", "-o", "link", "show", device.name());
            assertTrue(link.startsWith(device.ifIndex() + ": " + device.name() + ":"), link);
        }
    }

    @Test
    void aSecondOpenOfASingleQueueDeviceIsBusy() throws Exception {
        TestTools.requireTun();
        String name = Namespace.interfaceName();
        try (TunDevice first = TunDevice.open(name, 1, true)) {
            TunException thrown = assertThrows(TunException.class, () -> TunDevice.open(name, 1, true));
            assertEquals(Libc.EBUSY, thrown.errno());
            String message = thrown.getMessage();
            assertTrue(message.contains("EBUSY (Device or resource busy)"), message);
            assertTrue(message.contains("another process holds it"), message);
            assertEquals(name, first.name());
        }
    }

    @Test
    void closingRemovesTheInterfaceAndIsIdempotent() throws Exception {
        TestTools.requireTun();
        TunDevice device = TunDevice.open(Namespace.interfaceName(), 1, true);
        String name = device.name();
        Commands.run("ip", "link", "show", name);
        device.close();
        device.close();
        assertThrows(Exception.class, () -> Commands.run("ip", "link", "show", name));
        MemorySegment buffer = Arena.ofAuto().allocate(64);
        assertThrows(IllegalStateException.class, () -> device.read(0, buffer, 0, 64));
    }

    @Test
    void readsAndWritesNeedOffHeapMemoryInRange() throws Exception {
        TestTools.requireTun();
        try (TunDevice device = TunDevice.open(Namespace.interfaceName(), 1, true)) {
            MemorySegment heap = MemorySegment.ofArray(new byte[64]);
            assertThrows(IllegalArgumentException.class, () -> device.read(0, heap, 0, 64));
            MemorySegment native64 = Arena.ofAuto().allocate(64);
            assertThrows(IndexOutOfBoundsException.class, () -> device.write(0, native64, 32, 64));
            assertThrows(IndexOutOfBoundsException.class, () -> device.read(1, native64, 0, 64));
            // The interface is down: nothing to read, and a non-blocking read says so instead of waiting.
            assertEquals(TunDevice.WOULD_BLOCK, device.read(0, native64, 0, 64));
            assertFalse(device.awaitReadable(0, 0));
        }
    }
}
