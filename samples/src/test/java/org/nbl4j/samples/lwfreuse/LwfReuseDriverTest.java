package org.nbl4j.samples.lwfreuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.samples.SamplePackets;
import org.nbl4j.samples.lwfreuse.LwfReuseRun.Variant;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.LwfHandle;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.PlatformProfile;

/**
 * The seed-001 driver's lifetime through its DriverEntry: NdisFRegisterFilterDriver attaches a module to every
 * adapter, on top of the WFP lightweight filter; FilterPause pends while the module's own sends are out and completes
 * when they are back; DriverUnload detaches every module and frees every NBL, MDL and buffer; the driver loads again in
 * the same NDIS.
 */
class LwfReuseDriverTest {
    private static final PoolTag SEND_POOL = new PoolTag(PreallocatingLwf.SEND_POOL_TAG);
    private static final PoolTag NBL_DATA = new PoolTag(PreallocatingLwf.NBL_DATA_TAG);
    private static final int PREALLOCATED = 8;

    private final Ndis ndis = Ndis.create(VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT));
    private final SystemNdis.Binding binding = SystemNdis.bind(ndis);
    private final Router router = Router.create(ndis);

    LwfReuseDriverTest() {
        router.useFilterEngine(PlatformProfile.WINDOWS_10);
        router.addInterface(1, "wire1", MemoryMiniport.builder().name("wire1").build(), List.of(), false);
        router.addInterface(2, "wire2", MemoryMiniport.builder().name("wire2").build(), List.of(), false);
    }

    @AfterEach
    void close() {
        try {
            router.close();
        } finally {
            binding.close();
            ndis.close();
        }
    }

    private LwfReuseDriver load() {
        LwfReuseDriver driver = new LwfReuseDriver(Variant.CORRECTED, PREALLOCATED);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry(ndis, LwfReuseRun.REGISTRY_PATH));
        return driver;
    }

    @Test
    @DisplayName(
            "DriverEntry attaches a module on top of every adapter; DriverUnload detaches them and frees every tag;"
                    + " loading again in the same NDIS starts clean")
    void registersOnEveryAdapterAndUnloadsClean() {
        for (int load = 1; load <= 2; load++) {
            LwfReuseDriver driver = load();

            assertEquals(2, driver.FilterModules().size(), "one module per adapter, load " + load);
            for (Adapter adapter : router.adapters()) {
                List<LwfHandle> stack = adapter.lwfModules();
                assertTrue(
                        stack.getFirst().name().startsWith(LwfReuseDriver.FILTER_FRIENDLY_NAME),
                        () -> "on top, above the WFP lightweight filter: " + stack);
                assertEquals(2, stack.size(), () -> "the sample and the WFP lightweight filter: " + stack);
            }
            assertEquals(2L * PREALLOCATED, ndis.poolUsage().diff(SEND_POOL), "each module's queue is full");
            assertEquals(2L * PREALLOCATED, ndis.poolUsage().diff(NBL_DATA));

            driver.DriverUnload();

            assertEquals(List.of(), driver.FilterModules());
            for (Adapter adapter : router.adapters()) {
                assertEquals(1, adapter.lwfModules().size(), () -> "only WFP's left: " + adapter.lwfModules());
            }
            assertEquals(0, ndis.poolUsage().diff(SEND_POOL), "FPoo back to 0 after load " + load);
            assertEquals(0, ndis.poolUsage().diff(NBL_DATA), "tadF back to 0 after load " + load);
        }
        assertEquals(List.of(), ndis.verifier().violations());
    }

    @Test
    @DisplayName("FilterPause pends while the module's own sends are out; their completion ends the pause")
    void pausePendsUntilOwnSendsComplete() throws Exception {
        LwfReuseDriver driver = load();
        PreallocatingLwf module = driver.FilterModules().getFirst();
        byte[] packet = SamplePackets.ipv4Udp("192.0.2.1", "198.51.100.1", 64, 0, new byte[64]);
        MemorySegment header = MemorySegment.ofArray(packet).asSlice(0, 28);
        MemorySegment payload = MemorySegment.ofArray(packet).asSlice(28);
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    NtStatus.NDIS_STATUS_SUCCESS, module.SendPacket(header, 28, payload, (int) payload.byteSize()));
        }
        assertEquals(3, module.OutstandingSendNBLs.get(), "the miniport completes only when it is serviced");

        Adapter wire1 = router.adapter(1);
        AtomicBoolean paused = new AtomicBoolean();
        Thread pausing = Thread.ofPlatform().name("pause").start(() -> paused.set(wire1.pause()));
        pausing.join(200);
        assertTrue(pausing.isAlive(), "FilterPause pended: three own sends are out");
        while (pausing.isAlive()) {
            router.pollAll(64); // the miniport completes the sends; the last completion calls NdisFPauseComplete
            pausing.join(10);
        }

        assertTrue(paused.get(), "the pause completed");
        assertEquals(0, module.OutstandingSendNBLs.get());
        assertFalse(module.PausePending.get());
        assertEquals(PREALLOCATED, module.queuedNetBufferLists(), "every NBL is back in the queue");
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, wire1.restart());
        driver.DriverUnload();
        assertEquals(0, ndis.poolUsage().diff(SEND_POOL));
        assertEquals(List.of(), ndis.verifier().violations());
    }
}
