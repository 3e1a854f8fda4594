package org.nbl4j.stack.ndis;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.stack.kernel.DriverParameters;

/**
 * The OID and status paths of the Java API: filters with the default handlers pass requests down and completions and
 * indications up; the miniport's answers carry the values of its properties and counters.
 */
class OidPathTest {
    private final Ndis ndis = Stacks.verifiedNdis();
    private final Arena arena = Arena.ofConfined();
    private final List<String> completions = new CopyOnWriteArrayList<>();
    private final List<StatusIndication> indications = new CopyOnWriteArrayList<>();
    private final MemoryMiniport miniport =
            MemoryMiniport.builder().name("m").mtu(1280).build();
    private final Adapter adapter = Adapter.builder(ndis)
            .miniport(miniport)
            .lwf("upper", handle -> new LwfHandlers() {})
            .lwf("lower", handle -> new LwfHandlers() {})
            .build();

    {
        adapter.bind(new Protocol() {
            @Override
            public void receiveNetBufferLists(
                    ProtocolBinding binding, NetBufferList chain, int port, int count, int flags) {}

            @Override
            public void sendNetBufferListsComplete(ProtocolBinding binding, NetBufferList chain, int flags) {}

            @Override
            public void oidRequestComplete(ProtocolBinding binding, OidRequest request, int status) {
                completions.add(request.requestId() + " " + NtStatus.describe(status));
            }

            @Override
            public void status(ProtocolBinding binding, StatusIndication indication) {
                indications.add(indication);
            }
        });
    }

    /** A query as the Java API's protocol issues it. */
    private static final class Query implements OidRequest {
        final int oid;
        final MemorySegment buffer;
        final Object id;
        int written;
        int needed;

        Query(int oid, MemorySegment buffer, Object id) {
            this.oid = oid;
            this.buffer = buffer;
            this.id = id;
        }

        @Override
        public int requestType() {
            return Oids.NdisRequestQueryInformation;
        }

        @Override
        public int oid() {
            return oid;
        }

        @Override
        public int portNumber() {
            return 0;
        }

        @Override
        public @Nullable Object requestId() {
            return id;
        }

        @Override
        public MemorySegment informationBuffer() {
            return buffer;
        }

        @Override
        public int informationBufferLength() {
            return (int) buffer.byteSize();
        }

        @Override
        public void setBytesWritten(int bytes) {
            written = bytes;
        }

        @Override
        public int bytesWritten() {
            return written;
        }

        @Override
        public void setBytesRead(int bytes) {}

        @Override
        public int bytesRead() {
            return 0;
        }

        @Override
        public void setBytesNeeded(int bytes) {
            needed = bytes;
        }

        @Override
        public int bytesNeeded() {
            return needed;
        }
    }

    @AfterEach
    void close() {
        adapter.close();
        arena.close();
        Stacks.assertClean(ndis);
    }

    @Test
    @DisplayName("answered at once through two default filters: the status is returned, no completion is called")
    void synchronousQuery() {
        Query speed = new Query(Oids.OID_GEN_LINK_SPEED, arena.allocate(4), "speed");
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, adapter.oidRequest(speed));
        assertEquals(4, speed.written);
        assertEquals((int) (miniport.linkSpeed() / 100), speed.buffer.get(JAVA_INT_UNALIGNED, 0), "100 bit/s units");
        assertEquals(List.of(), completions);
    }

    @Test
    @DisplayName("a pended query completes once through the default completion handlers; a cancel of it afterwards"
            + " finds nothing")
    void pendedQuery() {
        miniport.pendOid(Oids.OID_GEN_STATISTICS);
        Query statistics = new Query(Oids.OID_GEN_STATISTICS, arena.allocate(256), "stats");
        assertEquals(NtStatus.NDIS_STATUS_PENDING, adapter.oidRequest(statistics));
        assertEquals(1, miniport.completePendedOids());
        adapter.cancelOidRequest("stats");
        assertEquals(List.of("stats " + NtStatus.describe(NtStatus.NDIS_STATUS_SUCCESS)), completions);
        assertEquals(Oids.NDIS_SIZEOF_STATISTICS_INFO_REVISION_1, statistics.written);
        assertEquals(0x80, statistics.buffer.get(JAVA_BYTE, 0) & 0xFF, "NDIS_OBJECT_TYPE_DEFAULT");
        assertEquals(miniport.statistics().receivedPackets(), statistics.buffer.get(JAVA_LONG_UNALIGNED, 8 + 3 * 8));
    }

    @Test
    @DisplayName("a link-state change goes up through both default filters to the protocol")
    void linkState() {
        miniport.setLinkState(LinkState.DISCONNECTED);
        miniport.setLinkState(LinkState.DISCONNECTED);
        assertEquals(1, indications.size(), "only a change is indicated");
        assertEquals(Oids.NDIS_STATUS_LINK_STATE, indications.getFirst().statusCode());
        assertTrue(indications.getFirst().statusBuffer() instanceof LinkStateIndication state
                && state.mediaConnectState() == LinkState.DISCONNECTED);
        miniport.setLinkState(LinkState.CONNECTED);
    }

    @Test
    @DisplayName("driver parameters from a file: decimal, hex with or without 0x, strings, any case")
    void parametersFromAFile(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("ndislwf.properties");
        Files.writeString(file, "MaxClones = 42\nMask=0x1f\nOther=ff\nName=wwan\n");
        DriverParameters parameters = DriverParameters.read(file);
        assertEquals(42, parameters.integer("maxclones", 10).orElseThrow());
        assertEquals(0x1F, parameters.integer("MASK", 16).orElseThrow());
        assertEquals(0xFF, parameters.integer("Other", 16).orElseThrow());
        assertTrue(parameters.integer("Name", 10).isEmpty());
        assertEquals("wwan", parameters.string("name").orElseThrow());
        assertTrue(parameters.string("Missing").isEmpty());
    }

    @Test
    @DisplayName("NdisFOidRequest, NdisFCancelOidRequest and NdisFRestartFilter above DISPATCH_LEVEL are refused and do"
            + " nothing (under a verifier that collects)")
    void filterOidAndRestartDdisAboveDispatch() {
        List<LwfHandle> handles = new ArrayList<>();
        List<String> ownCompletions = new CopyOnWriteArrayList<>();
        LwfHandlers originator = new LwfHandlers() {
            @Override
            public void oidRequestComplete(LwfHandle handle, OidRequest request, int status) {
                ownCompletions.add(request.requestId() + " " + NtStatus.describe(status));
            }
        };
        try (Ndis collecting = Ndis.create(VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT))) {
            MemoryMiniport below = MemoryMiniport.builder().name("c").build();
            try (Adapter collectingAdapter = Adapter.builder(collecting)
                    .miniport(below)
                    .lwf("originator", handle -> {
                        handles.add(handle);
                        return originator;
                    })
                    .build()) {
                LwfHandle handle = handles.getFirst();
                Query speed = new Query(Oids.OID_GEN_LINK_SPEED, arena.allocate(4), "speed");
                below.pendOid(Oids.OID_GEN_STATISTICS);
                Query statistics = new Query(Oids.OID_GEN_STATISTICS, arena.allocate(256), "stats");
                assertEquals(NtStatus.NDIS_STATUS_PENDING, handle.oidRequest(statistics));
                int[] statuses = new int[2];

                Irql.runAt(Irql.HIGH_LEVEL, () -> {
                    statuses[0] = handle.oidRequest(speed);
                    handle.cancelOidRequest("stats");
                    statuses[1] = handle.restartFilter();
                });

                assertEquals(NtStatus.NDIS_STATUS_FAILURE, statuses[0], "NdisFOidRequest refused");
                assertEquals(0, speed.written, "the miniport never saw the refused query");
                assertEquals(List.of(), ownCompletions, "the refused cancel reached nothing");
                assertEquals(NtStatus.NDIS_STATUS_FAILURE, statuses[1], "NdisFRestartFilter refused");
                assertEquals(LwfModuleState.RUNNING, handle.state(), "no pause or restart happened");
                List<Violation> violations = collecting.verifier().violations();
                assertEquals(
                        List.of("NdisFOidRequest", "NdisFCancelOidRequest", "NdisFRestartFilter"),
                        violations.stream()
                                .map(violation -> violation
                                        .detail()
                                        .substring(0, violation.detail().indexOf(' ')))
                                .toList(),
                        violations::toString);
                assertTrue(violations.stream().allMatch(violation -> violation.rule() == BufferRule.IRQL_TOO_HIGH));
                handle.cancelOidRequest("stats");
                assertEquals(
                        List.of("stats " + NtStatus.describe(NtStatus.NDIS_STATUS_REQUEST_ABORTED)),
                        ownCompletions,
                        "the statistics query was still pending; a cancel at PASSIVE_LEVEL aborts it");
                assertEquals(0, below.completePendedOids());
            }
        }
    }
}
