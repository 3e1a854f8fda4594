package org.nbl4j.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.nbl4j.samples.forwardinject.ForwardInjectDemo;
import org.nbl4j.samples.lwfreuse.LwfReuseDemo;
import org.nbl4j.samples.lwfreuse.PreallocatingLwf;
import org.nbl4j.samples.testing.SampleSource;

/** The demo entry points the cli calls: exit code 0 and the parts of the output the docs promise. */
class DemosTest {

    @Test
    void lwfReuseDemo() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = LwfReuseDemo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("Wfpn"), out);
        String[] lines = out.split("\n");
        // The report comes first, each rule once with its count, naming the sample's lines and nothing of nbl4j's.
        assertTrue(lines[0].startsWith("968 x WFP_INFO_STALE_ON_SEND ("), out);
        assertEquals(
                "  broken at: " + PreallocatingLwf.class.getName() + ".SendPacket("
                        + SampleSource.line("lwfreuse/PreallocatingLwf.java", "NdisFSendNetBufferLists(")
                        + "), calling NdisH.NdisFSendNetBufferLists",
                lines[2]);
        assertEquals(
                "  allocated: " + PreallocatingLwf.class.getName() + ".AllocateSendNetBufferList("
                        + SampleSource.line("lwfreuse/PreallocatingLwf.java", "NdisAllocateNetBufferAndNetBufferList(")
                        + "), calling NdisH.NdisAllocateNetBufferAndNetBufferList",
                lines[3]);
        assertEquals(1, out.split("WFP_INFO_STALE_ON_SEND \\(", -1).length - 1, "reported once, counted: " + out);
        assertTrue(out.contains("WfpNetBufferListInfo"), out);
        assertTrue(out.contains("LEAKED_AT_SHUTDOWN"), out);
    }

    @Test
    void forwardInjectDemo() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = ForwardInjectDemo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("wire2 <- 45 b8"), out);
        assertTrue(out.contains("CLONE_HELD_TOO_LONG"), out);
        assertTrue(out.contains("ChildRefCount"), out);
    }
}
