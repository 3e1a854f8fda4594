package org.nbl4j.stack.wfp;

/**
 * What the engine knows about a packet beyond its fields: {@code FWPS_INCOMING_METADATA_VALUES0} (§4.4) with the
 * members the IP and host layers fill. A member is valid only when its bit is set in {@link #currentMetadataValues()}; the
 * engine sets exactly the bits of the members a layer has (§5.2). One instance per thread is refilled per packet.
 */
public final class IncomingMetadata {
    public static final int FWPS_METADATA_FIELD_DISCARD_REASON = 0x00000001;
    public static final int FWPS_METADATA_FIELD_FLOW_HANDLE = 0x00000002;
    public static final int FWPS_METADATA_FIELD_IP_HEADER_SIZE = 0x00000004;
    public static final int FWPS_METADATA_FIELD_PROCESS_PATH = 0x00000008;
    public static final int FWPS_METADATA_FIELD_PROCESS_ID = 0x00000020;
    public static final int FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE = 0x00000400;
    public static final int FWPS_METADATA_FIELD_COMPARTMENT_ID = 0x00000800;
    public static final int FWPS_METADATA_FIELD_FRAGMENT_DATA = 0x00001000;
    public static final int FWPS_METADATA_FIELD_PATH_MTU = 0x00002000;
    public static final int FWPS_METADATA_FIELD_COMPLETION_HANDLE = 0x00004000;
    public static final int FWPS_METADATA_FIELD_TRANSPORT_ENDPOINT_HANDLE = 0x00008000;
    public static final int FWPS_METADATA_FIELD_REMOTE_SCOPE_ID = 0x00020000;
    public static final int FWPS_METADATA_FIELD_PACKET_DIRECTION = 0x00040000;
    public static final int FWPS_METADATA_FIELD_FORWARD_LAYER_OUTBOUND_PASS_THRU = 0x00100000;
    public static final int FWPS_METADATA_FIELD_FORWARD_LAYER_INBOUND_PASS_THRU = 0x00200000;
    /** An inbound transport packet that ALE_AUTH_RECV_ACCEPT authorizes next: a transport callout permits it (§5.7). */
    public static final int FWPS_METADATA_FIELD_ALE_CLASSIFY_REQUIRED = 0x00400000;

    public static final int FWPS_METADATA_FIELD_ICMP_ID_AND_SEQUENCE = 0x08000000;

    /** {@code FWP_DIRECTION_OUTBOUND}: the packet leaves this host. */
    public static final int FWP_DIRECTION_OUTBOUND = 0;
    /** {@code FWP_DIRECTION_INBOUND}: the packet arrives for this host. */
    public static final int FWP_DIRECTION_INBOUND = 1;

    /** {@code FWPS_DISCARD_MODULE_NETWORK}: the IP path dropped the packet; the reason is an IP_DISCARD_REASON. */
    public static final int FWPS_DISCARD_MODULE_NETWORK = 0;
    /** {@code FWPS_DISCARD_MODULE_GENERAL}: filtering dropped the packet. */
    public static final int FWPS_DISCARD_MODULE_GENERAL = 2;
    /** {@code FWPS_DISCARD_FIREWALL_POLICY}: a BLOCK came out of filtering; the filter id names the filter. */
    public static final int FWPS_DISCARD_FIREWALL_POLICY = 0;

    private int currentMetadataValues;
    private int discardModule;
    private int discardReason;
    private long discardFilterId;
    private int ipHeaderSize;
    private int transportHeaderSize;
    private int compartmentId;
    private int fragmentIdentification;
    private int fragmentOffset;
    private int fragmentLength;
    private int pathMtu;
    private long flowHandle;
    private long processId;
    private byte[] processPath = new byte[0];
    private long completionHandle;
    private long transportEndpointHandle;
    private int remoteScopeId;
    private int packetDirection;
    private int icmpIdAndSequence;

    /** {@code processId}: the process that owns the flow's socket, at the ALE layers (docs/wfp.md). */
    public long processId() {
        return processId;
    }

    /**
     * {@code processPath->data}: the owning process's executable path, NUL-terminated UTF-16LE; shared with the flow,
     * so copy it to keep it.
     */
    public byte[] processPath() {
        return processPath;
    }

    /** The bits of the members that are valid. */
    public int currentMetadataValues() {
        return currentMetadataValues;
    }

    /** {@code FWPS_IS_METADATA_FIELD_PRESENT}. */
    public boolean isPresent(int field) {
        return (currentMetadataValues & field) != 0;
    }

    /** {@code discardMetadata.discardModule}. */
    public int discardModule() {
        return discardModule;
    }

    /** {@code discardMetadata.discardReason}. */
    public int discardReason() {
        return discardReason;
    }

    /** {@code discardMetadata.filterId}: the blocking filter, for module GENERAL. */
    public long discardFilterId() {
        return discardFilterId;
    }

    /** {@code ipHeaderSize}. */
    public int ipHeaderSize() {
        return ipHeaderSize;
    }

    /** {@code transportHeaderSize}. */
    public int transportHeaderSize() {
        return transportHeaderSize;
    }

    /** {@code compartmentId}. */
    public int compartmentId() {
        return compartmentId;
    }

    /** {@code fragmentMetadata.fragmentIdentification}. */
    public int fragmentIdentification() {
        return fragmentIdentification;
    }

    /** {@code fragmentMetadata.fragmentOffset}. */
    public int fragmentOffset() {
        return fragmentOffset;
    }

    /** {@code fragmentMetadata.fragmentLength}. */
    public int fragmentLength() {
        return fragmentLength;
    }

    /** {@code pathMtu}. */
    public int pathMtu() {
        return pathMtu;
    }

    /** {@code flowHandle}: the flow's {@code flowId} for the flow-context DDIs. */
    public long flowHandle() {
        return flowHandle;
    }

    /** {@code completionHandle}: what {@code FwpsPendOperation0} takes, at the ALE authorization layers. */
    public long completionHandle() {
        return completionHandle;
    }

    /**
     * {@code transportEndpointHandle}: nbl4j has no sockets; the flow handle stands for the endpoint, which is what the
     * transport send injection takes it for.
     */
    public long transportEndpointHandle() {
        return transportEndpointHandle;
    }

    /** {@code remoteScopeId.Value}: the remote address's scope (0: nbl4j has one scope per compartment). */
    public int remoteScopeId() {
        return remoteScopeId;
    }

    /** {@code packetDirection}: {@link #FWP_DIRECTION_OUTBOUND} or {@link #FWP_DIRECTION_INBOUND}. */
    public int packetDirection() {
        return packetDirection;
    }

    /** {@code icmpIdAndSequence}: an ICMP echo's identifier (high 16 bits) and sequence number. */
    public int icmpIdAndSequence() {
        return icmpIdAndSequence;
    }

    void clear() {
        currentMetadataValues = 0;
    }

    void setDiscard(int module, int reason, long filterId) {
        currentMetadataValues |= FWPS_METADATA_FIELD_DISCARD_REASON;
        discardModule = module;
        discardReason = reason;
        discardFilterId = filterId;
    }

    void setIpHeaderSize(int size) {
        currentMetadataValues |= FWPS_METADATA_FIELD_IP_HEADER_SIZE;
        ipHeaderSize = size;
    }

    void setTransportHeaderSize(int size) {
        currentMetadataValues |= FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE;
        transportHeaderSize = size;
    }

    void setCompartmentId(int id) {
        currentMetadataValues |= FWPS_METADATA_FIELD_COMPARTMENT_ID;
        compartmentId = id;
    }

    void setFragment(int identification, int offset, int length) {
        currentMetadataValues |= FWPS_METADATA_FIELD_FRAGMENT_DATA;
        fragmentIdentification = identification;
        fragmentOffset = offset;
        fragmentLength = length;
    }

    void setPathMtu(int mtu) {
        currentMetadataValues |= FWPS_METADATA_FIELD_PATH_MTU;
        pathMtu = mtu;
    }

    void setProcess(long id, byte[] path) {
        currentMetadataValues |= FWPS_METADATA_FIELD_PROCESS_ID | FWPS_METADATA_FIELD_PROCESS_PATH;
        processId = id;
        processPath = path;
    }

    void setFlowHandle(long handle) {
        currentMetadataValues |= FWPS_METADATA_FIELD_FLOW_HANDLE;
        flowHandle = handle;
    }

    void setCompletionHandle(long handle) {
        currentMetadataValues |= FWPS_METADATA_FIELD_COMPLETION_HANDLE;
        completionHandle = handle;
    }

    void setTransportEndpointHandle(long handle) {
        currentMetadataValues |= FWPS_METADATA_FIELD_TRANSPORT_ENDPOINT_HANDLE;
        transportEndpointHandle = handle;
    }

    void setRemoteScopeId(int scopeId) {
        currentMetadataValues |= FWPS_METADATA_FIELD_REMOTE_SCOPE_ID;
        remoteScopeId = scopeId;
    }

    void setPacketDirection(int direction) {
        currentMetadataValues |= FWPS_METADATA_FIELD_PACKET_DIRECTION;
        packetDirection = direction;
    }

    void setIcmpIdAndSequence(int value) {
        currentMetadataValues |= FWPS_METADATA_FIELD_ICMP_ID_AND_SEQUENCE;
        icmpIdAndSequence = value;
    }

    void setFlag(int field) {
        currentMetadataValues |= field;
    }
}
