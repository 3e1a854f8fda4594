package org.nbl4j.stack.ndis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.VerifierSettings;

/** What the adapter tests share: a verified NDIS, packets with documentation addresses, and the leak check. */
final class Stacks {
    private Stacks() {}

    /** Every NBL tracked with sites; violations throw. */
    static Ndis verifiedNdis() {
        return Ndis.create(VerifierSettings.full());
    }

    /** A thread-safe event log shared by the test's components. */
    static List<String> log() {
        return Collections.synchronizedList(new ArrayList<>());
    }

    /** Nothing allocated under any tag, no tracked NBL alive, no violation: the end of every test. */
    static void assertClean(Ndis ndis) {
        assertEquals(List.of(), ndis.poolUsage().outstanding(), "pool tags with a non-zero diff");
        assertTrue(
                ndis.verifier().leaks().isEmpty(), () -> ndis.verifier().leaks().describe());
        assertEquals(List.of(), ndis.verifier().violations());
    }

    /** A 28-byte IPv4/UDP packet 192.0.2.{@code src}:{@code sport} → 198.51.100.{@code dst}:{@code dport}. */
    static byte[] udp4(int src, int dst, int sport, int dport) {
        byte[] p = new byte[28];
        p[0] = 0x45;
        p[3] = 28;
        p[8] = 64;
        p[9] = 17;
        p[12] = (byte) 192;
        p[13] = 0;
        p[14] = 2;
        p[15] = (byte) src;
        p[16] = (byte) 198;
        p[17] = 51;
        p[18] = 100;
        p[19] = (byte) dst;
        p[20] = (byte) (sport >>> 8);
        p[21] = (byte) sport;
        p[22] = (byte) (dport >>> 8);
        p[23] = (byte) dport;
        p[25] = 8;
        return p;
    }

    /** The bytes of the NBL's first NB. */
    static byte[] bytes(NetBufferList nbl) {
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        return nb.toByteArray();
    }

    /** A data pool of 2048-byte buffers under {@code tag}. */
    static NetBufferListPool dataPool(Ndis ndis, String tag) {
        NetBufferListPool pool =
                ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of(tag), 2048));
        assertNotNull(pool);
        return pool;
    }

    /** An NBL of {@code pool} holding {@code packet}, with {@code source} as its SourceHandle. */
    static NetBufferList packet(NetBufferListPool pool, byte[] packet, Object source) {
        NetBufferList nbl = pool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(packet.length, 0, null));
        nb.write(0, packet);
        nbl.setSourceHandle(source);
        return nbl;
    }

    /** Links NBLs into a chain in the given order. */
    static NetBufferList chain(NetBufferList... nbls) {
        for (int i = 0; i < nbls.length; i++) {
            nbls[i].setNext(i + 1 < nbls.length ? nbls[i + 1] : null);
        }
        return nbls[0];
    }

    /** Unlinks a chain into a list. */
    static List<NetBufferList> list(NetBufferList chain) {
        List<NetBufferList> nbls = new ArrayList<>();
        NetBufferList nbl = chain;
        while (nbl != null) {
            NetBufferList next = nbl.next();
            nbl.setNext(null);
            nbls.add(nbl);
            nbl = next;
        }
        return nbls;
    }
}
