package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

/** NBL and NB chains (§4.9) with the debug checks of §10.6. */
class ChainTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private final Ndis ndis = verification.create(VerifierSettings.full());
    private final Ndis checked = verification.createChecked(VerifierSettings.full());

    private static NetBufferList[] nbls(Ndis ndis, int count) {
        NetBufferListPool pool =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, false, 0, PoolTag.of("ChPl"), 0));
        assertNotNull(pool);
        NetBufferList[] nbls = new NetBufferList[count];
        for (int i = 0; i < count; i++) {
            NetBufferList nbl = pool.allocateNetBufferList(0, 0);
            assertNotNull(nbl);
            nbls[i] = nbl;
        }
        return nbls;
    }

    /** Unlinks each NBL (a test may have left a cycle), then NdisFreeNetBufferList for each. */
    private static void free(NetBufferList... nbls) {
        for (NetBufferList nbl : nbls) {
            nbl.setNext(null);
        }
        for (NetBufferList nbl : nbls) {
            nbl.free();
        }
    }

    @Test
    @DisplayName("count, last and append on NULL-terminated NBL chains")
    void countLastAppend() {
        NetBufferList[] n = nbls(ndis, 4);
        assertEquals(0, NetBufferLists.count(null));
        assertEquals(1, NetBufferLists.count(n[0]));
        assertSame(n[0], NetBufferLists.last(n[0]));

        assertSame(n[0], NetBufferLists.append(null, n[0]), "appending to an empty chain gives the tail");
        NetBufferList head = NetBufferLists.append(n[0], n[1]);
        assertSame(n[0], head);
        NetBufferLists.append(n[2], n[3]);
        NetBufferLists.append(head, n[2]);

        assertEquals(4, NetBufferLists.count(head));
        assertSame(n[3], NetBufferLists.last(head));
        assertSame(n[1], n[0].next());
        assertSame(n[2], n[1].next());
        assertSame(n[3], n[2].next());
        assertNull(n[3].next());
        free(n);
    }

    @Test
    @DisplayName("§10.6: an NBL chain that loops back on itself is a RuleViolation CHAIN_CYCLE")
    void nblCycle() {
        NetBufferList[] n = nbls(ndis, 3);
        n[0].setNext(n[1]);
        n[1].setNext(n[2]);
        assertDoesNotThrow(() -> NetBufferLists.requireNoCycle(n[0]));
        n[2].setNext(n[1]);
        assertEquals(
                BufferRule.CHAIN_CYCLE,
                assertThrows(RuleViolation.class, () -> NetBufferLists.requireNoCycle(n[0]))
                        .rule());

        NetBufferList[] self = nbls(ndis, 1);
        self[0].setNext(self[0]);
        assertEquals(
                BufferRule.CHAIN_CYCLE,
                assertThrows(RuleViolation.class, () -> NetBufferLists.requireNoCycle(self[0]))
                        .rule());
        free(n);
        free(self);
    }

    @Test
    @DisplayName("§10.6: an NB chain that loops is a RuleViolation CHAIN_CYCLE")
    void nbCycle() {
        NetBufferPool pool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("ChNb"), 0));
        assertNotNull(pool);
        NetBuffer a = pool.allocateNetBuffer(null, 0, 0);
        NetBuffer b = pool.allocateNetBuffer(null, 0, 0);
        assertNotNull(a);
        assertNotNull(b);
        a.setNext(b);
        assertDoesNotThrow(() -> NetBufferLists.requireNoCycle(a));
        b.setNext(a);
        assertEquals(
                BufferRule.CHAIN_CYCLE,
                assertThrows(RuleViolation.class, () -> NetBufferLists.requireNoCycle(a))
                        .rule());
        a.setNext(null);
        b.setNext(null);
        a.free();
        b.free();
    }

    @Test
    @DisplayName("§4.9/§10.6: two chains sharing an NBL overlap: RuleViolation CHAIN_OVERLAP")
    void overlap() {
        NetBufferList[] n = nbls(ndis, 4);
        n[0].setNext(n[1]);
        n[2].setNext(n[3]);
        assertDoesNotThrow(() -> NetBufferLists.requireDisjoint(n[0], n[2]));
        assertEquals(
                BufferRule.CHAIN_OVERLAP,
                assertThrows(RuleViolation.class, () -> NetBufferLists.requireDisjoint(n[0], n[1]))
                        .rule());
        n[3].setNext(n[1]); // the second chain's tail runs into the first chain
        assertEquals(
                BufferRule.CHAIN_OVERLAP,
                assertThrows(RuleViolation.class, () -> NetBufferLists.requireDisjoint(n[0], n[2]))
                        .rule());
        free(n);
    }

    @Test
    @DisplayName("§10.6: in checked mode append rejects overlapping chains before linking anything")
    void checkedAppendRejectsOverlap() {
        NetBufferList[] n = nbls(checked, 2);
        NetBufferLists.append(n[0], n[1]);
        RuleViolation violation = assertThrows(RuleViolation.class, () -> NetBufferLists.append(n[0], n[1]));
        assertEquals(BufferRule.CHAIN_OVERLAP, violation.rule());
        assertNull(n[1].next(), "no cycle was created");
        assertEquals(2, NetBufferLists.count(n[0]));
        free(n);
    }

    @Test
    @DisplayName("outside checked mode the same append links blindly and creates a cycle")
    void uncheckedAppendCreatesCycle() {
        NetBufferList[] n = nbls(ndis, 2);
        NetBufferLists.append(n[0], n[1]);
        NetBufferLists.append(n[0], n[1]); // n[1].next = n[1]
        assertSame(n[1], n[1].next());
        assertEquals(
                BufferRule.CHAIN_CYCLE,
                assertThrows(RuleViolation.class, () -> NetBufferLists.requireNoCycle(n[0]))
                        .rule());
        free(n);
    }

    @Test
    @DisplayName("§10.6: in checked mode append rejects a chain that loops, the head's or the tail's")
    void checkedAppendRejectsLoops() {
        NetBufferList[] looping = nbls(checked, 2);
        looping[0].setNext(looping[1]);
        looping[1].setNext(looping[0]);
        NetBufferList[] other = nbls(checked, 1);

        assertEquals(
                BufferRule.CHAIN_CYCLE,
                assertThrows(RuleViolation.class, () -> NetBufferLists.append(looping[0], other[0]))
                        .rule());
        assertEquals(
                BufferRule.CHAIN_CYCLE,
                assertThrows(RuleViolation.class, () -> NetBufferLists.append(other[0], looping[0]))
                        .rule());
        assertNull(other[0].next(), "nothing was linked");
        free(looping);
        free(other);
    }

    @Test
    @DisplayName("§10.6: an NB chain of three that does not loop is no CHAIN_CYCLE")
    void nbChainOfThree() {
        NetBufferPool pool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("ChNb"), 0));
        assertNotNull(pool);
        NetBuffer a = pool.allocateNetBuffer(null, 0, 0);
        NetBuffer b = pool.allocateNetBuffer(null, 0, 0);
        NetBuffer c = pool.allocateNetBuffer(null, 0, 0);
        assertNotNull(a);
        assertNotNull(b);
        assertNotNull(c);
        a.setNext(b);
        b.setNext(c);

        assertDoesNotThrow(() -> NetBufferLists.requireNoCycle(a));

        a.setNext(null);
        b.setNext(null);
        a.free();
        b.free();
        c.free();
    }
}
