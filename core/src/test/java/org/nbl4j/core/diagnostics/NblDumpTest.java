package org.nbl4j.core.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.buffer.NblFlags;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListInfo;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.buffer.NetBufferPool;
import org.nbl4j.core.buffer.NetBufferPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.junit.NdisVerifierExtension;

/**
 * Golden-text tests of {@link NblDump} in the manner of {@code !ndiskd.nbl} (nbl-reuse-leak-and-diagnostics §2.2).
 * Every dump uses a fresh {@link IdNamer#sequential()} namer, so ids follow the order in which a view first meets
 * each object: {@code ffff800000001000}, {@code ffff800000002000}, ...
 */
class NblDumpTest {
    /** A UDP/IPv4 frame of 54 bytes: Ethernet header, IP header, UDP header, "hello nbl4j!". */
    private static final byte[] FRAME = HexFormat.of()
            .parseHex("00155d010203" + "00155d0a0b0c" + "0800" // Ethernet
                    + "4500002800010000401100" + "00c0a80001c0a80002" // IPv4
                    + "04d2162e00140000" // UDP
                    + HexFormat.of().formatHex("hello nbl4j!".getBytes(StandardCharsets.US_ASCII)));

    /** What a WFP layer might hang off {@code WfpNetBufferListInfo}: shown by id and toString. */
    private record WfpContainer(int generation) {}

    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private final Ndis ndis = verification.create(VerifierSettings.full());
    /** Protocol id 2 (TCP/IP), one NB per NBL. */
    private final NetBufferListPool pool = pool(0x02, true, "Dgt1");

    @Test
    @DisplayName("default view: ids, Next, First NB, Source with its name, both flag words and the status by name")
    void basicView() {
        NetBufferList nbl = frameNbl();
        NetBufferList next = frameNbl();
        NetBufferList parent = frameNbl();
        nbl.setNext(next);
        nbl.setSourceHandle("Contoso LWF");
        nbl.setParent(parent);
        nbl.setFlags(nbl.flags() | 0x1 | 0x1000 | 0x10000 | 0x02000000);
        nbl.setNblFlags(0x4 | NblFlags.NDIS_NBL_FLAGS_IS_IPV4 | NblFlags.NDIS_NBL_FLAGS_IS_UDP);
        nbl.setStatus(NtStatus.NDIS_STATUS_PAUSED);

        assertEquals("""
                NBL                ffff800000001000    Next NBL           ffff800000002000
                First NB           ffff800000003000    Source             ffff800000004000 - Contoso LWF
                Flags              PROTOCOL_000_1, NBL_ALLOCATED, MINIPORT_1, SCRATCH_1, PROTOCOL_020_0
                NblFlags           0x00000004, NDIS_NBL_FLAGS_IS_IPV4, NDIS_NBL_FLAGS_IS_UDP
                Status             NDIS_STATUS_PAUSED
                Parent NBL         ffff800000005000    ChildRefCount      0
                Pool               ffff800000006000 - NBL pool Dgt1
                Kind               ALLOCATED
                Owner              OWNED
                """, dump().basic(nbl));
        nbl.setParent(null);
        free(nbl, next, parent);
    }

    @Test
    @DisplayName("default view of a freed NBL: NBL_ALLOCATED is gone, as is the NB")
    void basicViewOfFreedNbl() {
        NetBufferList nbl = frameNbl();
        List<Mdl> mdls = mdlsOf(nbl);
        nbl.free();

        assertEquals("""
                NBL                ffff800000001000    Next NBL           NULL
                First NB           NULL                Source             NULL
                Flags              0
                NblFlags           0
                Status             NDIS_STATUS_SUCCESS
                Parent NBL         NULL                ChildRefCount      0
                Pool               ffff800000002000 - NBL pool Dgt1
                Kind               ALLOCATED
                Owner              FREE
                """, dump().basic(nbl));
        mdls.forEach(ndis::freeMdl);
    }

    @Test
    @DisplayName("-info: every non-zero slot by name, index and raw value, decoded; references by id and toString")
    void infoView() {
        NetBufferList nbl = frameNbl();
        nbl.setInfoValue(NetBufferListInfo.TcpIpChecksumNetBufferListInfo, 0x1D);
        nbl.setInfoValue(NetBufferListInfo.Ieee8021QNetBufferListInfo, 5 | (100 << 4));
        nbl.setCancelId(0x2A00000000000007L);
        nbl.setHashValue(0x9E3779B9);
        nbl.setHashFunction(0x01);
        nbl.setHashType(0x100 | 0x200);
        nbl.setWfpInfo(new WfpContainer(3));

        assertEquals("""
                NBL                ffff800000001000
                TcpIpChecksumNetBufferListInfo        [ 0]  0x000000000000001D
                Ieee8021QNetBufferListInfo            [ 4]  0x0000000000000645  UserPriority 5, CanonicalFormatId 0, VlanId 100
                NetBufferListCancelId                 [ 5]  0x2A00000000000007  PartialCancelId 0x2A
                NetBufferListFrameType                [ 7]  0x0000000000000002  ProtocolId 0x02 (NDIS_PROTOCOL_ID_TCP_IP)
                NetBufferListHashValue                [ 8]  0x000000009E3779B9  HashValue 0x9E3779B9
                NetBufferListHashInfo                 [ 9]  0x0000000000000301  HashFunction NdisHashFunctionToeplitz, HashType NDIS_HASH_IPV4 | NDIS_HASH_TCP_IPV4
                WfpNetBufferListInfo                  [10]  ffff800000002000    WfpContainer[generation=3]
                """, dump().info(nbl));
        free(nbl);
    }

    @Test
    @DisplayName("-info: 802.1Q fields at bits 0-2, 3 and 4-15 (WMMInfo 16-19); a receive slot 7 is an EtherType")
    void infoViewDecodesBitFields() {
        NetBufferList nbl = allocate(pool(0, true, "Dgt2"));
        nbl.setInfoValue(NetBufferListInfo.Ieee8021QNetBufferListInfo, 0x7 | 0x8 | (4095 << 4) | (0x3 << 16));
        nbl.setInfoValue(NetBufferListInfo.NetBufferListFrameType, 0x86DD);

        assertEquals("""
                NBL                ffff800000001000
                Ieee8021QNetBufferListInfo            [ 4]  0x000000000003FFFF  UserPriority 7, CanonicalFormatId 1, VlanId 4095, WMMInfo 3
                NetBufferListFrameType                [ 7]  0x00000000000086DD  FrameType 0x86DD, ProtocolId 0xDD
                """, dump().info(nbl));
        free(nbl);
    }

    @Test
    @DisplayName("-data: the NB's fields, its MDL chain and a db-style hex dump of the used data only")
    void dataView() {
        NetBufferList nbl = frameNbl();

        assertEquals("""
                NBL                ffff800000001000

                NET_BUFFER         ffff800000002000
                DataOffset         4                   DataLength         54
                CurrentMdl         ffff800000003000    CurrentMdlOffset   4
                ChecksumBias       0                   Next NB            NULL
                MDL chain          ffff800000003000    ByteCount 18      MdlFlags 0x0005    Origin CALLER
                                   ffff800000004000    ByteCount 40      MdlFlags 0x0005    Origin CALLER
                Data               54 bytes
                    00000000  00 15 5d 01 02 03 00 15-5d 0a 0b 0c 08 00 45 00  ..].....].....E.
                    00000010  00 28 00 01 00 00 40 11-00 00 c0 a8 00 01 c0 a8  .(....@.........
                    00000020  00 02 04 d2 16 2e 00 14-00 00 68 65 6c 6c 6f 20  ..........hello
                    00000030  6e 62 6c 34 6a 21                                nbl4j!
                """, dump().data(nbl));
        free(nbl);
    }

    @Test
    @DisplayName("-chain: every NBL through Next with its status, every NB with its offsets, then the counts")
    void chainView() {
        NetBufferList first = chainOfThree();

        assertEquals("""
                NBL                ffff800000001000    Status             NDIS_STATUS_SUCCESS
                  NET_BUFFER       ffff800000002000    DataOffset 4, DataLength 54
                  NET_BUFFER       ffff800000003000    DataOffset 0, DataLength 18
                NBL                ffff800000004000    Status             NDIS_STATUS_SEND_ABORTED
                  NET_BUFFER       ffff800000005000    DataOffset 0, DataLength 40
                NBL                ffff800000006000    Status             NDIS_STATUS_SUCCESS
                Chain              3 NBLs, 3 NET_BUFFERs
                """, dump().chain(first));
        freeChain(first);
    }

    @Test
    @DisplayName("-chain: a chain that loops is walked once and the loop reported")
    void chainViewStopsAtLoop() {
        NetBufferList first = chainOfThree();
        NetBufferList last = first.next().next();
        last.setNext(first);

        assertEquals("""
                NBL                ffff800000001000    Status             NDIS_STATUS_SUCCESS
                  NET_BUFFER       ffff800000002000    DataOffset 4, DataLength 54
                  NET_BUFFER       ffff800000003000    DataOffset 0, DataLength 18
                NBL                ffff800000004000    Status             NDIS_STATUS_SEND_ABORTED
                  NET_BUFFER       ffff800000005000    DataOffset 0, DataLength 40
                NBL                ffff800000006000    Status             NDIS_STATUS_SUCCESS
                Loop               Next NBL points back to ffff800000001000
                Chain              3 NBLs, 3 NET_BUFFERs
                """, dump().chain(first));
        last.setNext(null);
        freeChain(first);
    }

    @Test
    @DisplayName("parents: ParentNetBufferList up to the root with kinds and ChildRefCounts (§5.1)")
    void parentsView() {
        NetBufferList original = frameNbl();
        NetBufferList clone = original.allocateClone(null, null, 0);
        assertNotNull(clone);
        clone.setParent(original);
        original.incrementChildRefCount();
        NetBufferList cloneOfClone = clone.allocateClone(null, null, 0);
        assertNotNull(cloneOfClone);
        cloneOfClone.setParent(clone);
        clone.incrementChildRefCount();
        try {
            assertEquals("""
                    NBL                ffff800000001000    CLONE        ChildRefCount 0
                    Parent NBL         ffff800000002000    CLONE        ChildRefCount 1
                    Parent NBL         ffff800000003000    ALLOCATED    ChildRefCount 1
                    """, dump().parents(cloneOfClone));
        } finally {
            // Children first, each followed by its parent's ChildRefCount, as §5.1 requires.
            cloneOfClone.freeClone(0);
            clone.decrementChildRefCount();
            clone.freeClone(0);
            original.decrementChildRefCount();
            free(original);
        }
    }

    @Test
    @DisplayName("switches combine as in !ndiskd.nbl <nbl> -info -data: default view, then -info, then -data")
    void combinedSwitches() {
        NetBufferList nbl = nblOver(pool(0, true, "Dgt2"), ascii("ABCDEFGHIJKLMNOPQRST"), 0, 20);

        assertEquals("""
                NBL                ffff800000001000    Next NBL           NULL
                First NB           ffff800000002000    Source             NULL
                Flags              NBL_ALLOCATED
                NblFlags           0
                Status             NDIS_STATUS_SUCCESS
                Parent NBL         NULL                ChildRefCount      0
                Pool               ffff800000003000 - NBL pool Dgt2
                Kind               ALLOCATED
                Owner              OWNED

                NBL                ffff800000001000
                No out-of-band information

                NBL                ffff800000001000

                NET_BUFFER         ffff800000002000
                DataOffset         0                   DataLength         20
                CurrentMdl         ffff800000004000    CurrentMdlOffset   0
                ChecksumBias       0                   Next NB            NULL
                MDL chain          ffff800000004000    ByteCount 20      MdlFlags 0x0005    Origin CALLER
                Data               20 bytes
                    00000000  41 42 43 44 45 46 47 48-49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP
                    00000010  51 52 53 54                                      QRST
                """, dump().dump(nbl, "-info -data"));
        free(nbl);
    }

    @Test
    @DisplayName("-chain with -info and -data shows the chain, then the info and data of every NBL in it")
    void chainSwitchAppliesToEveryNbl() {
        NetBufferList first = chainOfThree();
        NetBufferList second = first.next();
        NetBufferList third = second.next();
        NblDump dump = dump();

        String expected = dump.chain(first) + "\n" + dump.info(first) + "\n" + dump.data(first) + "\n"
                + dump.info(second) + "\n" + dump.data(second) + "\n" + dump.info(third) + "\n" + dump.data(third);

        assertEquals(
                expected, dump.dump(first, EnumSet.of(NblDumpOption.CHAIN, NblDumpOption.INFO, NblDumpOption.DATA)));
        assertEquals(expected, dump.dump(first, "-CHAIN  -data -info"));
        assertEquals(dump.basic(first) + "\n" + dump.parents(first), dump.dump(first, "-parents"));
        assertEquals(dump.basic(first), dump.dump(first, Set.of()));
        freeChain(first);
    }

    @Test
    @DisplayName("switches other than -chain -info -data -parents -NblCurrentOwner -log are refused")
    void unknownSwitch() {
        assertThrows(IllegalArgumentException.class, () -> NblDumpOption.parse("-info -netmon"));
        assertThrows(IllegalArgumentException.class, () -> NblDumpOption.parse("-stacks"));
        assertEquals(EnumSet.of(NblDumpOption.INFO, NblDumpOption.DATA), NblDumpOption.parse(" -data  -info "));
    }

    @Test
    @DisplayName(
            "!ndiskd.nb on a single NB, and ids: sequential ones are stable and unique, identity ones look like addresses")
    void netBufferViewAndIds() {
        NetBufferList nbl = frameNbl();
        NetBuffer nb = nbl.firstNetBuffer();
        assertNotNull(nb);
        IdNamer ids = IdNamer.sequential();
        NblDump dump = NblDump.withIds(ids);

        String whole = dump.data(nbl);
        assertEquals(whole.substring(whole.indexOf("NET_BUFFER")), dump.netBuffer(nb));
        assertEquals("ffff800000001000", ids.id(nbl));
        assertEquals("ffff800000002000", ids.id(nb));
        assertNotEquals(ids.id(nb), ids.id(nbl.pool()));

        IdNamer identity = IdNamer.identityHash();
        assertTrue(identity.id(nbl).matches("ffff8000[0-9a-f]{8}"), identity.id(nbl));
        assertEquals(identity.id(nbl), identity.id(nbl));
        assertTrue(NblDump.create().basic(nbl).startsWith("NBL                " + identity.id(nbl)));
        free(nbl);
    }

    // ---- fixtures ----

    private static NblDump dump() {
        return NblDump.withIds(IdNamer.sequential());
    }

    /** An NBL from {@link #pool} whose NB describes FRAME behind 4 bytes of headroom, over MDLs of 18 and 40 bytes. */
    private NetBufferList frameNbl() {
        byte[] first = new byte[18];
        System.arraycopy(FRAME, 0, first, 4, 14);
        byte[] second = new byte[40];
        System.arraycopy(FRAME, 14, second, 0, 40);
        Mdl chain = mdl(first);
        chain.setNext(mdl(second));
        NetBufferList nbl = pool.allocateNetBufferAndNetBufferList(0, 0, chain, 4, FRAME.length);
        assertNotNull(nbl);
        return nbl;
    }

    /**
     * Three NBLs: the frame NBL with a second NB of 18 bytes; an NBL of 40 bytes completed with SEND_ABORTED; an NBL
     * without NBs.
     */
    private NetBufferList chainOfThree() {
        NetBufferList first = frameNbl();
        NetBufferPool nbPool = ndis.allocateNetBufferPool(NetBufferPoolParameters.of(PoolTag.of("Dgnb"), 0));
        assertNotNull(nbPool);
        NetBuffer extra = nbPool.allocateNetBuffer(mdl(new byte[18]), 0, 18);
        assertNotNull(extra);
        NetBuffer firstNb = first.firstNetBuffer();
        assertNotNull(firstNb);
        firstNb.setNext(extra);
        NetBufferList second = nblOver(pool, new byte[40], 0, 40);
        second.setStatus(NtStatus.NDIS_STATUS_SEND_ABORTED);
        NetBufferList third = allocate(pool(0, false, "Dgt3"));
        first.setNext(second);
        second.setNext(third);
        return first;
    }

    private NetBufferList nblOver(NetBufferListPool from, byte[] bytes, int dataOffset, int dataLength) {
        NetBufferList nbl = from.allocateNetBufferAndNetBufferList(0, 0, mdl(bytes), dataOffset, dataLength);
        assertNotNull(nbl);
        return nbl;
    }

    private static NetBufferList allocate(NetBufferListPool from) {
        NetBufferList nbl = from.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        return nbl;
    }

    private NetBufferListPool pool(int protocolId, boolean withNetBuffer, String tag) {
        NetBufferListPool made = ndis.allocateNetBufferListPool(
                NetBufferListPoolParameters.of(protocolId, withNetBuffer, 0, PoolTag.of(tag), 0));
        assertNotNull(made);
        return made;
    }

    /** NdisAllocateMdl over fresh off-heap memory holding {@code bytes}. */
    private Mdl mdl(byte[] bytes) {
        MemorySegment memory = Arena.ofAuto().allocate(Math.max(1, bytes.length), 16);
        MemorySegment.copy(bytes, 0, memory, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return ndis.allocateMdl(memory, bytes.length);
    }

    /** Every MDL the NBs of {@code nbl} describe, in order. */
    private static List<Mdl> mdlsOf(NetBufferList nbl) {
        List<Mdl> mdls = new ArrayList<>();
        for (NetBuffer nb = nbl.firstNetBuffer(); nb != null; nb = nb.next()) {
            for (Mdl mdl = nb.mdlChain(); mdl != null; mdl = mdl.next()) {
                mdls.add(mdl);
            }
        }
        return mdls;
    }

    /**
     * Frees NBLs the fixtures made, one by one: the NBs after the first (from an NB pool), the NBL with its own NB,
     * then the MDLs they described, which NdisFreeNetBufferList leaves to their allocator (§4.8).
     */
    private void free(NetBufferList... nbls) {
        for (NetBufferList nbl : nbls) {
            List<Mdl> mdls = mdlsOf(nbl);
            nbl.setNext(null);
            NetBuffer first = nbl.firstNetBuffer();
            if (first != null) {
                NetBuffer extra = first.next();
                first.setNext(null);
                while (extra != null) {
                    NetBuffer following = extra.next();
                    extra.setNext(null);
                    extra.free();
                    extra = following;
                }
            }
            nbl.free();
            mdls.forEach(ndis::freeMdl);
        }
    }

    /** {@link #free} for every NBL of a NULL-terminated chain. */
    private void freeChain(NetBufferList first) {
        List<NetBufferList> nbls = new ArrayList<>();
        for (NetBufferList nbl = first; nbl != null; nbl = nbl.next()) {
            nbls.add(nbl);
        }
        free(nbls.toArray(NetBufferList[]::new));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
