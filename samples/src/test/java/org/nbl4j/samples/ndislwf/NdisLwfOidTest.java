package org.nbl4j.samples.ndislwf;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.stack.ddk.NDIS_OID_REQUEST;
import org.nbl4j.stack.ddk.NdisLwf;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ndis.Adapter;
import org.nbl4j.stack.ndis.LinkState;
import org.nbl4j.stack.ndis.LinkStateIndication;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.ndis.OidRequest;
import org.nbl4j.stack.ndis.Oids;
import org.nbl4j.stack.ndis.Protocol;
import org.nbl4j.stack.ndis.ProtocolBinding;
import org.nbl4j.stack.ndis.StatusIndication;

/**
 * OID requests and status indications through the sample filter, between a protocol that records what completes and
 * reaches it and a memory miniport that answers at once, pends, or aborts on cancel. Two adapters, one module each.
 */
class NdisLwfOidTest {
    private final Ndis ndis = Ndis.create(VerifierSettings.full());
    private final SystemNdis.Binding binding = SystemNdis.bind(ndis);
    private final Arena arena = Arena.ofConfined();
    private final RecordingProtocol protocol = new RecordingProtocol();
    private MemoryMiniport miniport;
    private Adapter adapter;
    private Adapter other;
    private NdisLwfDriver driver;

    /** The protocol at the top: records every OID completion and status indication that reaches it. */
    private static final class RecordingProtocol implements Protocol {
        record Completion(OidRequest request, int status) {}

        final List<Completion> completions = new CopyOnWriteArrayList<>();
        final List<StatusIndication> indications = new CopyOnWriteArrayList<>();

        @Override
        public void receiveNetBufferLists(
                ProtocolBinding from, NetBufferList chain, int portNumber, int count, int receiveFlags) {
            throw new AssertionError("no packets in these tests");
        }

        @Override
        public void sendNetBufferListsComplete(ProtocolBinding from, NetBufferList chain, int sendCompleteFlags) {
            throw new AssertionError("no packets in these tests");
        }

        @Override
        public void oidRequestComplete(ProtocolBinding from, OidRequest request, int status) {
            completions.add(new Completion(request, status));
        }

        @Override
        public void status(ProtocolBinding from, StatusIndication indication) {
            indications.add(indication);
        }
    }

    @BeforeEach
    void load() {
        miniport = MemoryMiniport.builder().name("wwan0").mtu(1400).build();
        adapter = Adapter.builder(ndis).name("wwan0").miniport(miniport).build();
        adapter.bind(protocol);
        other = Adapter.builder(ndis)
                .name("wwan1")
                .interfaceIndex(2)
                .miniport(MemoryMiniport.builder().name("wwan1").build())
                .build();
        driver = new NdisLwfDriver();
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, driver.DriverEntry(ndis, "NDISLWF"));
        assertEquals(1, adapter.lwfModules().size());
        assertEquals(1, other.lwfModules().size());
    }

    @AfterEach
    void unload() {
        driver.DriverUnload();
        assertEquals(List.of(), adapter.lwfModules());
        adapter.close();
        other.close();
        assertEquals(0, ndis.poolUsage().diff(LwfRouter.FILT), "clones and module contexts all freed");
        assertEquals(List.of(), ndis.verifier().violations());
        arena.close();
        binding.close();
        ndis.close();
    }

    private NDIS_OID_REQUEST query(int oid, int bufferLength, Object requestId) {
        NDIS_OID_REQUEST request = new NDIS_OID_REQUEST();
        request.Header.Type = NdisLwf.NDIS_OBJECT_TYPE_OID_REQUEST;
        request.Header.Revision = NdisLwf.NDIS_OID_REQUEST_REVISION_1;
        request.RequestType = NdisLwf.NdisRequestQueryInformation;
        request.RequestId = requestId;
        request.DATA.QUERY_INFORMATION.Oid(oid);
        request.DATA.QUERY_INFORMATION.InformationBuffer(arena.allocate(bufferLength));
        request.DATA.QUERY_INFORMATION.InformationBufferLength(bufferLength);
        return request;
    }

    /** The one completion of {@code request} the protocol saw. */
    private RecordingProtocol.Completion completionOf(NDIS_OID_REQUEST request) {
        List<RecordingProtocol.Completion> mine = protocol.completions.stream()
                .filter(completion -> completion.request() == request)
                .toList();
        assertEquals(1, mine.size(), "completed exactly once: " + protocol.completions);
        return mine.getFirst();
    }

    @Test
    @DisplayName("a query answered at once completes once to the protocol with its bytes, through the filter's clone")
    void queryCompletesOnce() {
        NDIS_OID_REQUEST request = query(Oids.OID_GEN_MAXIMUM_FRAME_SIZE, 4, "frame size");
        // The sample always pends at its level and completes through NdisFOidRequestComplete.
        assertEquals(NtStatus.NDIS_STATUS_PENDING, adapter.oidRequest(request));
        RecordingProtocol.Completion completion = completionOf(request);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, completion.status());
        assertEquals(4, request.DATA.QUERY_INFORMATION.BytesWritten());
        assertEquals("frame size", request.RequestId);
        MemorySegment buffer = request.DATA.QUERY_INFORMATION.InformationBuffer();
        assertEquals(1400, buffer.get(JAVA_INT_UNALIGNED, 0));
        assertEquals(
                1,
                driver.FilterEnumerateAllInstances().stream()
                        .filter(m -> m.miniportName().equals("wwan0"))
                        .findFirst()
                        .orElseThrow()
                        .oidRequests());
    }

    @Test
    @DisplayName("a short buffer completes with BUFFER_TOO_SHORT and BytesNeeded; a set reads its ULONG; the current"
            + " address is not supported on a raw-IP medium")
    void answersTheMinimalSet() {
        NDIS_OID_REQUEST statistics = query(Oids.OID_GEN_STATISTICS, 8, 1);
        adapter.oidRequest(statistics);
        assertEquals(
                NtStatus.NDIS_STATUS_BUFFER_TOO_SHORT, completionOf(statistics).status());
        assertEquals(Oids.NDIS_SIZEOF_STATISTICS_INFO_REVISION_1, statistics.DATA.QUERY_INFORMATION.BytesNeeded());

        NDIS_OID_REQUEST filter = new NDIS_OID_REQUEST();
        filter.RequestType = NdisLwf.NdisRequestSetInformation;
        filter.RequestId = 2;
        filter.DATA.SET_INFORMATION.Oid(Oids.OID_GEN_CURRENT_PACKET_FILTER);
        MemorySegment value = arena.allocate(4);
        value.set(JAVA_INT_UNALIGNED, 0, Oids.NDIS_PACKET_TYPE_DIRECTED);
        filter.DATA.SET_INFORMATION.InformationBuffer(value);
        filter.DATA.SET_INFORMATION.InformationBufferLength(4);
        adapter.oidRequest(filter);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, completionOf(filter).status());
        assertEquals(4, filter.DATA.SET_INFORMATION.BytesRead());
        assertEquals(Oids.NDIS_PACKET_TYPE_DIRECTED, miniport.packetFilter());

        NDIS_OID_REQUEST address = query(Oids.OID_802_3_CURRENT_ADDRESS, 6, 3);
        adapter.oidRequest(address);
        assertEquals(NtStatus.NDIS_STATUS_NOT_SUPPORTED, completionOf(address).status());

        NDIS_OID_REQUEST medium = query(Oids.OID_GEN_MEDIA_IN_USE, 4, 4);
        adapter.oidRequest(medium);
        assertEquals(
                NdisLwf.NdisMediumWirelessWan,
                medium.DATA.QUERY_INFORMATION.InformationBuffer().get(JAVA_INT_UNALIGNED, 0));
    }

    @Test
    @DisplayName("a request the miniport pends completes once, later, with its byte count and request id")
    void pendedRequestCompletesOnce() {
        miniport.pendOid(Oids.OID_GEN_LINK_STATE);
        NDIS_OID_REQUEST request = query(Oids.OID_GEN_LINK_STATE, 64, "link");
        assertEquals(NtStatus.NDIS_STATUS_PENDING, adapter.oidRequest(request));
        assertEquals(List.of(), protocol.completions, "nothing completes before the miniport answers");

        assertEquals(1, miniport.completePendedOids());
        RecordingProtocol.Completion completion = completionOf(request);
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, completion.status());
        assertEquals(Oids.NDIS_SIZEOF_LINK_STATE_REVISION_1, request.DATA.QUERY_INFORMATION.BytesWritten());
        assertEquals("link", request.RequestId);
        MemorySegment buffer = request.DATA.QUERY_INFORMATION.InformationBuffer();
        assertEquals(NdisLwf.MediaConnectStateConnected, buffer.get(JAVA_INT_UNALIGNED, 4));
        assertEquals(miniport.linkSpeed(), buffer.get(JAVA_LONG_UNALIGNED, 16));
    }

    @Test
    @DisplayName("a cancelled request completes once with REQUEST_ABORTED; the other pended one still completes")
    void cancelledRequestCompletesOnceAborted() {
        miniport.pendOid(Oids.OID_GEN_STATISTICS);
        NDIS_OID_REQUEST cancelled = query(Oids.OID_GEN_STATISTICS, 256, "cancel me");
        NDIS_OID_REQUEST kept = query(Oids.OID_GEN_STATISTICS, 256, "keep me");
        assertEquals(NtStatus.NDIS_STATUS_PENDING, adapter.oidRequest(cancelled));
        assertEquals(NtStatus.NDIS_STATUS_PENDING, adapter.oidRequest(kept));

        adapter.cancelOidRequest("cancel me");
        assertEquals(
                NtStatus.NDIS_STATUS_REQUEST_ABORTED, completionOf(cancelled).status());
        assertEquals(0, cancelled.DATA.QUERY_INFORMATION.BytesWritten());

        adapter.cancelOidRequest("no such request");
        assertEquals(1, miniport.completePendedOids());
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, completionOf(kept).status());
        assertEquals(Oids.NDIS_SIZEOF_STATISTICS_INFO_REVISION_1, kept.DATA.QUERY_INFORMATION.BytesWritten());
        assertEquals(2, protocol.completions.size());
    }

    @Test
    @DisplayName("a link-state change reaches the protocol through the filter's FilterStatus")
    void linkStateReachesTheProtocol() {
        miniport.setLinkState(LinkState.DISCONNECTED);
        assertEquals(1, protocol.indications.size());
        StatusIndication indication = protocol.indications.getFirst();
        assertEquals(Oids.NDIS_STATUS_LINK_STATE, indication.statusCode());
        LinkStateIndication state = (LinkStateIndication) indication.statusBuffer();
        assertEquals(LinkState.DISCONNECTED, state.mediaConnectState());
        FilterModuleInfo module = driver.FilterEnumerateAllInstances().stream()
                .filter(m -> m.miniportName().equals("wwan0"))
                .findFirst()
                .orElseThrow();
        assertEquals(1, module.linkStateIndications(), "the filter saw it on the way");
        assertEquals(NdisLwf.MediaConnectStateDisconnected, module.lastMediaConnectState());
        assertTrue(protocol.completions.isEmpty());
    }
}
