package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.verify.VerifierFixture.frame;
import static org.nbl4j.core.verify.VerifierFixture.line;

import java.util.ArrayList;
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
import org.nbl4j.junit.ViolatesOnPurpose;

/** Reports read top-down, and equal violations at one driver line are one entry with a count. */
class ViolationReportTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("VfGr");

    @Test
    @DisplayName("the same rule at the same line is grouped with a count; another line is its own group")
    @ViolatesOnPurpose
    void groupsBySameRuleAndLine() {
        try (Ndis ndis = verification.create(VerifierSettings.full()
                .withPolicy(ViolationPolicy.COLLECT)
                .withDriverCode(ViolationReportTest.class.getName()))) {
            NetBufferListPool pool =
                    ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, false, 0, TAG, 0));
            assertNotNull(pool);
            List<NetBufferList> freed = new ArrayList<>();
            int allocatedAt = line() + 2;
            for (int i = 0; i < 3; i++) {
                NetBufferList nbl = pool.allocateNetBufferList(0, 0);
                assertNotNull(nbl);
                nbl.free();
                freed.add(nbl);
            }
            int repeatedAt = line() + 2;
            for (NetBufferList nbl : freed) {
                nbl.free();
            }
            int onceAt = line() + 1;
            freed.getFirst().free();

            ViolationReport report = ViolationReport.of(ndis.verifier().violations());

            assertEquals(2, report.groups().size(), report::describe);
            assertEquals(4, report.count());
            ViolationReport.Group repeated = report.groups().getFirst();
            assertEquals(3, repeated.count());
            String text = repeated.describe();
            String[] lines = text.split("\n");
            assertEquals("3 x NBL_DOUBLE_FREE (ndis-buffers §4.10): NET_BUFFER_LIST freed twice", lines[0], text);
            assertTrue(lines[1].startsWith("  object:    NdisFreeNetBufferList on NET_BUFFER_LIST"), text);
            assertEquals(
                    "  broken at: " + frame(ViolationReportTest.class, "groupsBySameRuleAndLine", repeatedAt)
                            + ", calling NetBufferList.free",
                    lines[2]);
            assertEquals(
                    "  allocated: " + frame(ViolationReportTest.class, "groupsBySameRuleAndLine", allocatedAt)
                            + ", calling NetBufferListPool.allocateNetBufferList",
                    lines[3]);
            assertEquals("  fix:       " + RuleFixes.of(BufferRule.NBL_DOUBLE_FREE), lines[4]);
            ViolationReport.Group once = report.groups().get(1);
            assertEquals(1, once.count());
            assertTrue(once.describe().startsWith("NBL_DOUBLE_FREE"), once::describe);
            assertEquals(
                    frame(ViolationReportTest.class, "groupsBySameRuleAndLine", onceAt),
                    once.first().site().where());
            pool.close();
        }
    }
}
