package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which frames are the driver's: by package, whatever jar the class came from. */
class FrameClassifierTest {
    private final FrameClassifier standard = FrameClassifier.standard();

    @Test
    @DisplayName("nbl4j's own packages, the JDK and nbl4j's libraries are infrastructure")
    void infrastructure() {
        for (String className : new String[] {
            "org.nbl4j.core.buffer.NetBufferList",
            "org.nbl4j.stack.ddk.NdisH",
            "org.nbl4j.io.tun.TunDevice",
            "org.nbl4j.cli.SampleDemo$LwfReuse",
            "org.nbl4j.junit.NdisVerifierExtension",
            "java.lang.Thread",
            "jdk.internal.reflect.DirectMethodHandleAccessor",
            "picocli.CommandLine",
            "org.junit.platform.commons.util.ReflectionUtils",
            "net.jqwik.engine.JqwikTestEngine",
            "io.netty.buffer.PooledByteBuf"
        }) {
            assertFalse(standard.isDriver(className), className);
        }
    }

    @Test
    @DisplayName("a driver's own package and nbl4j's samples are driver code")
    void driverCode() {
        assertTrue(standard.isDriver("org.nbl4j.samples.lwfreuse.PreallocatingLwf"));
        assertTrue(standard.isDriver("com.acme.filter.AcmeLwf"));
        // A package that only looks like one of nbl4j's is not one of them.
        assertTrue(standard.isDriver("org.nbl4j.corexyz.Filter"));
    }

    @Test
    @DisplayName("a user adds infrastructure prefixes; a longer driver-code prefix wins over a shorter one")
    void userPrefixes() {
        FrameClassifier acme = standard.withInfrastructure("com.acme.util.").withDriverCode("com.acme.util.Filter");

        assertFalse(acme.isDriver("com.acme.util.Lists"));
        assertTrue(acme.isDriver("com.acme.util.Filter"));
        assertTrue(acme.isDriver("com.acme.util.Filter$Send"));
        assertTrue(acme.isDriver("com.acme.driver.Lwf"));
        assertTrue(standard.withDriverCode("org.nbl4j.core.verify.FrameClassifierTest")
                .isDriver("org.nbl4j.core.verify.FrameClassifierTest"));
    }
}
