package org.nbl4j.stack.ip;

import org.jspecify.annotations.Nullable;

/**
 * Everything the IP path knows about the packet in hand: one instance per receive-queue thread (per nesting level,
 * {@link PathScratch}) is filled once per packet, so that neither parsing nor showing a packet allocates.
 *
 * <p>It has two parts, written by two hands:
 *
 * <ul>
 *   <li>the <em>header facts</em>, which {@link PacketParser} writes from the IP header (family, addresses, lengths,
 *       protocol, hop limit, fragment fields, and what a failed check calls for). The path reads them directly, a
 *       hook through the getters. The path changes one only where it changes what the packet is: the hop limit it
 *       decrements when forwarding, and a timed-out first fragment that it quotes as a whole packet.
 *   <li>the <em>path facts</em>, which the path adds where it shows the packet at a {@link HookPoint}: compartment,
 *       arrival and destination interfaces, condition flags, path MTU, whether fragment metadata is offered, and the
 *       discard reason. {@link #clearPath} clears them, and only them, whenever the path shows the packet somewhere
 *       new, so a drop shown without an arrival interface still carries the parsed family and addresses.
 * </ul>
 *
 * <p>This is the raw material of WFP's view of the packet: the filter engine turns it, at the layer the hook point and
 * {@link #family()} name, into the layer's {@code FWPS_INCOMING_VALUES0} ({@code wfp.IncomingValues}) and
 * {@code FWPS_INCOMING_METADATA_VALUES0} ({@code wfp.IncomingMetadata}) without reading the packet again
 * (wfp-callouts-and-injection §4.3, §4.4, §5.4). A hook must copy what it keeps: the next packet refills this object.
 */
public final class PacketFacts {
    // ---- header facts: PacketParser writes these ----

    AddressFamily family = AddressFamily.INET;
    /** Bytes from the IP header's start to the upper-layer header (IPv6: through the fragment header, if any). */
    int headerLength;
    /** The packet's length as its header states it (IPv4 Total Length, IPv6 40 + Payload Length). */
    int packetLength;
    /** The upper-layer protocol (IPv6: the Next Header after the walk, or of the fragment header). */
    int protocol;
    /** The offset of the field that names {@link #protocol}: IPv4 Protocol, or the last IPv6 Next Header walked. */
    int protocolField;

    int hopLimit;
    /** Addresses as two longs each; IPv4 in the low 32 bits of {@code low}, {@code high} 0. */
    long sourceHigh;

    long sourceLow;
    long destinationHigh;
    long destinationLow;
    boolean fragment;
    /**
     * Where the fragment's data starts in the original datagram's payload, in bytes (IPv4 Fragment Offset × 8, IPv6
     * the fragment header's offset field); 0 for a packet that is not a fragment. The same quantity WFP calls
     * {@code fragmentMetadata.fragmentOffset}.
     */
    int fragmentOffset;

    boolean moreFragments;
    /** The fragment's Identification: IPv4's 16 bits or the IPv6 fragment header's 32. */
    int identification;

    boolean dontFragment;
    /** IPv6: where the fragment header starts, which is also the length of the unfragmentable part. */
    int fragmentHeaderOffset;
    /** IPv6: the offset of the Next Header byte that names the fragment header. */
    int fragmentNextHeaderField;

    /**
     * A check that only the packet's destination makes failed: IPv6 extension headers after Hop-by-Hop (RFC 8200 §4:
     * no node on the path examines them), fragment lengths (the reassembling node's). Null if none did; meaningless
     * when the parse turned the packet down. A forwarded packet ignores it.
     */
    @Nullable
    IpDiscardReason deliveryProblem;

    /**
     * The ICMP error the failed check calls for (the parse's, else {@link #deliveryProblem}'s): null when the packet
     * is dropped silently.
     */
    @Nullable
    IcmpErrorKind problem;

    /** The Parameter Problem pointer or protocol-unreachable Next Header offset of {@link #problem}. */
    int problemPointer;

    // ---- transport facts: the host role's transport boundary writes these (HostTransport) ----
    /** The local and remote port (ICMP: type and code), 0 when the packet has none. */
    int localPort;

    int remotePort;
    /** The TCP flags byte, 0 for other protocols. */
    int tcpFlags;
    /** ICMP echo: identifier and sequence number ({@code FWPS_METADATA_FIELD_ICMP_ID_AND_SEQUENCE}). */
    int icmpIdAndSequence;

    boolean hasIcmpIdAndSequence;
    /** Whether the host role sees the packet leaving this host (outbound) or arriving for it (inbound). */
    boolean inbound;
    /** The flow the packet belongs to, null outside the host role's flows. */
    @Nullable
    Flow flow;

    // ---- path facts: the path adds these where it shows the packet ----
    /** Set at INBOUND_TRANSPORT when the packet starts a flow that ALE_AUTH_RECV_ACCEPT must authorize. */
    private boolean aleClassifyRequired;
    /** Set where Windows shows no packet (TCP at ALE_AUTH_CONNECT): the layer's {@code layerData} is NULL. */
    private boolean withoutLayerData;

    private int transportHeaderSize;
    private int compartmentId;
    private int arrivalInterfaceIndex;
    private int arrivalSubInterfaceIndex;
    private int destinationInterfaceIndex;
    private int conditionFlags;
    private boolean offersFragmentData;
    private int pathMtu;
    private @Nullable IpDiscardReason discardReason;

    /** The addresses in network byte order, written from the longs when a hook asks for them. */
    private final byte[] sourceAddress = new byte[16];

    private final byte[] destinationAddress = new byte[16];

    /** Clears the header facts before the parser fills them for the next packet, of {@code newFamily}. */
    void clearHeader(AddressFamily newFamily) {
        family = newFamily;
        headerLength = 0;
        packetLength = 0;
        protocol = 0;
        protocolField = 0;
        hopLimit = 0;
        sourceHigh = 0;
        sourceLow = 0;
        destinationHigh = 0;
        destinationLow = 0;
        fragment = false;
        fragmentOffset = 0;
        moreFragments = false;
        identification = 0;
        dontFragment = false;
        fragmentHeaderOffset = 0;
        fragmentNextHeaderField = 0;
        deliveryProblem = null;
        problem = null;
        problemPointer = 0;
        localPort = 0;
        remotePort = 0;
        tcpFlags = 0;
        icmpIdAndSequence = 0;
        hasIcmpIdAndSequence = false;
        inbound = false;
        flow = null;
    }

    /** Clears the path facts, keeping the header facts: the path is about to show the packet somewhere new. */
    void clearPath() {
        transportHeaderSize = 0;
        compartmentId = 0;
        arrivalInterfaceIndex = 0;
        arrivalSubInterfaceIndex = 0;
        destinationInterfaceIndex = 0;
        conditionFlags = 0;
        offersFragmentData = false;
        pathMtu = 0;
        discardReason = null;
        aleClassifyRequired = false;
        withoutLayerData = false;
    }

    /**
     * Sets the path facts of a packet shown as it arrived on interface {@code arrivalIndex} (port
     * {@code subInterface}) in {@code compartment}: a fragment is flagged IS_FRAGMENT and offers its fragment
     * metadata.
     */
    void showArrived(int compartment, int arrivalIndex, int subInterface) {
        showIn(compartment);
        arrivalInterfaceIndex = arrivalIndex;
        arrivalSubInterfaceIndex = subInterface;
        if (fragment) {
            conditionFlags = IpStack.FWP_CONDITION_FLAG_IS_FRAGMENT;
            offersFragmentData = true;
        }
    }

    /** Sets the path facts of a packet shown in {@code compartment} and nowhere in particular yet. */
    void showIn(int compartment) {
        clearPath();
        compartmentId = compartment;
    }

    /** Records why a check failed and which ICMP error (null: none) with which pointer it calls for. */
    IpDiscardReason failed(IpDiscardReason reason, @Nullable IcmpErrorKind error, int pointer) {
        problem = error;
        problemPointer = pointer;
        return reason;
    }

    /** The fragment's payload length: what follows the headers. */
    int fragmentPayloadLength() {
        return packetLength - headerLength;
    }

    // ---- what a hook reads ----

    /** The IP version of the packet. */
    public AddressFamily family() {
        return family;
    }

    /** The source address, 4 or 16 bytes used; the array itself is reused, copy what you keep. */
    public byte[] sourceAddress() {
        IpAddresses.toBytes(family, sourceHigh, sourceLow, sourceAddress);
        return sourceAddress;
    }

    /** The destination address, 4 or 16 bytes used; the array itself is reused, copy what you keep. */
    public byte[] destinationAddress() {
        IpAddresses.toBytes(family, destinationHigh, destinationLow, destinationAddress);
        return destinationAddress;
    }

    /**
     * The IPv4 source address as one number (its first byte in the top bits), for {@link AddressFamily#INET} only:
     * what {@link #sourceAddress()} gives as bytes, without writing them, for a hook that shows it as a UINT32.
     */
    public int sourceIpv4() {
        return (int) sourceLow;
    }

    /** The IPv4 destination address as one number, for {@link AddressFamily#INET} only ({@link #sourceIpv4()}). */
    public int destinationIpv4() {
        return (int) destinationLow;
    }

    /** The upper-layer protocol: IPv4 Protocol, or the IPv6 Next Header after the extension headers. */
    public int protocol() {
        return protocol;
    }

    /** The local port of a TCP or UDP packet, the ICMP type of an ICMP one (its {@code IP_LOCAL_PORT} field). */
    public int localPort() {
        return localPort;
    }

    /** The remote port of a TCP or UDP packet, the ICMP code of an ICMP one (its {@code IP_REMOTE_PORT} field). */
    public int remotePort() {
        return remotePort;
    }

    /** The ICMP echo identifier (high 16 bits) and sequence number, valid when {@link #hasIcmpIdAndSequence()}. */
    public int icmpIdAndSequence() {
        return icmpIdAndSequence;
    }

    /** Whether the packet is an ICMP echo request or reply ({@code FWPS_METADATA_FIELD_ICMP_ID_AND_SEQUENCE}). */
    public boolean hasIcmpIdAndSequence() {
        return hasIcmpIdAndSequence;
    }

    /** At the host role's layers: whether the packet arrives for this host rather than leaves it. */
    public boolean isInbound() {
        return inbound;
    }

    /** The flow of the packet at the host role's layers ({@code FWPS_METADATA_FIELD_FLOW_HANDLE}), else null. */
    public @Nullable Flow flow() {
        return flow;
    }

    /** Whether the packet starts a flow that ALE_AUTH_RECV_ACCEPT authorizes next (metadata ALE_CLASSIFY_REQUIRED). */
    public boolean aleClassifyRequired() {
        return aleClassifyRequired;
    }

    public void setAleClassifyRequired(boolean aleClassifyRequired) {
        this.aleClassifyRequired = aleClassifyRequired;
    }

    /** Whether the layer gets no packet ({@code layerData} NULL), as TCP at ALE_AUTH_CONNECT. */
    public boolean withoutLayerData() {
        return withoutLayerData;
    }

    public void setWithoutLayerData(boolean withoutLayerData) {
        this.withoutLayerData = withoutLayerData;
    }

    /** The IP header's length including options or extension headers ({@code FWPS_METADATA_FIELD_IP_HEADER_SIZE}). */
    public int ipHeaderSize() {
        return headerLength;
    }

    /** The transport header's length, 0 when unknown ({@code FWPS_METADATA_FIELD_TRANSPORT_HEADER_SIZE}). */
    public int transportHeaderSize() {
        return transportHeaderSize;
    }

    public void setTransportHeaderSize(int transportHeaderSize) {
        this.transportHeaderSize = transportHeaderSize;
    }

    /** The routing compartment ({@code COMPARTMENT_ID}); 1 is the default compartment. */
    public int compartmentId() {
        return compartmentId;
    }

    public void setCompartmentId(int compartmentId) {
        this.compartmentId = compartmentId;
    }

    /** IF_INDEX of the interface the packet arrived on; 0 for a packet this host originates. */
    public int arrivalInterfaceIndex() {
        return arrivalInterfaceIndex;
    }

    public void setArrivalInterfaceIndex(int arrivalInterfaceIndex) {
        this.arrivalInterfaceIndex = arrivalInterfaceIndex;
    }

    /** The sub-interface (NDIS port) the packet arrived on. */
    public int arrivalSubInterfaceIndex() {
        return arrivalSubInterfaceIndex;
    }

    public void setArrivalSubInterfaceIndex(int arrivalSubInterfaceIndex) {
        this.arrivalSubInterfaceIndex = arrivalSubInterfaceIndex;
    }

    /** IF_INDEX of the interface the packet leaves by; 0 when not yet chosen. */
    public int destinationInterfaceIndex() {
        return destinationInterfaceIndex;
    }

    public void setDestinationInterfaceIndex(int destinationInterfaceIndex) {
        this.destinationInterfaceIndex = destinationInterfaceIndex;
    }

    /**
     * The sub-interface (NDIS port) the packet leaves by: always the default port 0, since the stack sends on no
     * other port.
     */
    public int destinationSubInterfaceIndex() {
        return 0;
    }

    /** {@code FWP_CONDITION_FLAG_*} bits: IS_FRAGMENT, IS_REASSEMBLED, the pass-through flags and so on (§5.5). */
    public int conditionFlags() {
        return conditionFlags;
    }

    public void setConditionFlags(int conditionFlags) {
        this.conditionFlags = conditionFlags;
    }

    /**
     * Whether the fragment fields are offered at this hook point ({@code FWPS_METADATA_FIELD_FRAGMENT_DATA}): a
     * received fragment offers them, a packet this host sends does not.
     */
    public boolean hasFragmentData() {
        return offersFragmentData;
    }

    /** The fragment's Identification field ({@code fragmentMetadata.fragmentIdentification}). */
    public int fragmentIdentification() {
        return identification;
    }

    /** Where the fragment's data starts in the original datagram's payload, in bytes. */
    public int fragmentOffset() {
        return fragmentOffset;
    }

    /** The fragment's payload length in bytes: what follows its headers. */
    public int fragmentLength() {
        return fragmentPayloadLength();
    }

    /** The MTU of the path the packet leaves by, 0 when unknown ({@code FWPS_METADATA_FIELD_PATH_MTU}). */
    public int pathMtu() {
        return pathMtu;
    }

    public void setPathMtu(int pathMtu) {
        this.pathMtu = pathMtu;
    }

    /** Why the path drops the packet, when it is shown at a discard twin; null otherwise. */
    public @Nullable IpDiscardReason discardReason() {
        return discardReason;
    }

    public void setDiscardReason(@Nullable IpDiscardReason discardReason) {
        this.discardReason = discardReason;
    }
}
