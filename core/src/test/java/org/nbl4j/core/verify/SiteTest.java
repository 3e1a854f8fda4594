package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.verify.VerifierFixture.frame;
import static org.nbl4j.core.verify.VerifierFixture.line;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.junit.NdisVerifierExtension;

/**
 * A site is trimmed to the driver's frames and the one DDI they called. This test lives in nbl4j's own package, so it
 * plays the driver by naming its class as driver code ({@link VerifierSettings#withDriverCode}).
 */
class SiteTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("VfSi");
    private static final VerifierSettings AS_DRIVER = VerifierSettings.full().withDriverCode(SiteTest.class.getName());

    @Test
    @DisplayName("the allocation site is the driver's line, calling the DDI; no nbl4j, JDK or JUnit frame")
    void trimmedToTheDriverAndTheDdi() {
        try (Ndis ndis = verification.create(AS_DRIVER)) {
            NetBufferListPool pool = pool(ndis);
            int at = line() + 1;
            NetBufferList nbl = pool.allocateNetBufferList(0, 0);
            assertNotNull(nbl);
            Site site = track(nbl).allocation();

            assertEquals(frame(SiteTest.class, "trimmedToTheDriverAndTheDdi", at), site.where());
            StackTraceElement ddi = site.ddi();
            assertNotNull(ddi);
            assertEquals(
                    NetBufferListPool.class.getName() + ".allocateNetBufferList",
                    ddi.getClassName() + "." + ddi.getMethodName());
            assertEquals(site.where() + ", calling NetBufferListPool.allocateNetBufferList", site.headline());
            for (StackTraceElement frame : site.frames()) {
                assertEquals(SiteTest.class.getName(), frame.getClassName(), () -> "only the driver's frames: " + site);
            }
            assertEquals(List.of(), site.trace(), "the full trace only on request");
            nbl.free();
            pool.close();
        }
    }

    @Test
    @DisplayName("on request the whole trace is kept too, nbl4j's and JUnit's frames included")
    void fullTraceOnRequest() {
        try (Ndis ndis = verification.create(AS_DRIVER.withFullTrace(true))) {
            NetBufferListPool pool = pool(ndis);
            NetBufferList nbl = pool.allocateNetBufferList(0, 0);
            assertNotNull(nbl);
            Site site = track(nbl).allocation();

            assertEquals(SiteTest.class.getName(), site.frames().getFirst().getClassName());
            assertTrue(
                    site.trace().stream().anyMatch(frame -> frame.getClassName().equals(Verifier.class.getName())));
            assertTrue(
                    site.trace().stream().anyMatch(frame -> frame.getClassName().startsWith("org.junit.")));
            assertTrue(site.describe().contains("    full trace:\n"), site::describe);
            nbl.free();
            pool.close();
        }
    }

    @Test
    @DisplayName("without the setting, a class of nbl4j's own packages is infrastructure, whatever folder it came from")
    void nbl4jPackagesAreNeverTheDriver() {
        try (Ndis ndis = verification.create(VerifierSettings.full())) {
            NetBufferListPool pool = pool(ndis);
            NetBufferList nbl = pool.allocateNetBufferList(0, 0);
            assertNotNull(nbl);
            Site site = track(nbl).allocation();

            assertTrue(
                    site.frames().stream()
                            .noneMatch(frame -> frame.getClassName().startsWith("org.nbl4j.")),
                    () -> "no driver on the stack, and nbl4j's core is never named: " + site.describe());
            assertEquals(null, site.ddi());
            nbl.free();
            pool.close();
        }
    }

    private static NetBufferListPool pool(Ndis ndis) {
        NetBufferListPool pool = ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, false, 0, TAG, 0));
        assertNotNull(pool);
        return pool;
    }

    private static BufferTrack track(NetBufferList nbl) {
        BufferTrack track = nbl.track();
        assertNotNull(track);
        return track;
    }
}
