package org.nbl4j.stack.ip;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * What the IP path knows about a packet when it shows it at a {@link HookPoint}: the raw material of the WFP
 * incoming values and metadata (wfp-callouts-and-injection §4.4, §5.4). One instance per receive-queue thread is
 * filled again for each packet, so showing a packet allocates nothing; a hook must copy what it keeps.
 *
 * <p>Addresses are in network byte order: 4 bytes of {@link #sourceAddress()} are used for IPv4, 16 for IPv6.
 */
public final class PacketFacts {
    private AddressFamily family = AddressFamily.INET;
    private final byte[] sourceAddress = new byte[16];
    private final byte[] destinationAddress = new byte[16];
    private int protocol;
    private int ipHeaderSize;
    private int transportHeaderSize;
    private int compartmentId;
    private int arrivalInterfaceIndex;
    private int arrivalSubInterfaceIndex;
    private int destinationInterfaceIndex;
    private int conditionFlags;
    private boolean hasFragmentData;
    private int fragmentIdentification;
    private int fragmentOffset;
    private int fragmentLength;
    private int pathMtu;
    private @Nullable IpDiscardReason discardReason;

    /** Clears every field for the next packet. */
    public void reset() {
        family = AddressFamily.INET;
        Arrays.fill(sourceAddress, (byte) 0);
        Arrays.fill(destinationAddress, (byte) 0);
        protocol = 0;
        ipHeaderSize = 0;
        transportHeaderSize = 0;
        compartmentId = 0;
        arrivalInterfaceIndex = 0;
        arrivalSubInterfaceIndex = 0;
        destinationInterfaceIndex = 0;
        conditionFlags = 0;
        hasFragmentData = false;
        fragmentIdentification = 0;
        fragmentOffset = 0;
        fragmentLength = 0;
        pathMtu = 0;
        discardReason = null;
    }

    /** The IP version of the packet. */
    public AddressFamily family() {
        return family;
    }

    public void setFamily(AddressFamily family) {
        this.family = family;
    }

    /** The source address, 4 or 16 bytes used; the array itself is reused, copy what you keep. */
    public byte[] sourceAddress() {
        return sourceAddress;
    }

    /** The destination address, 4 or 16 bytes used; the array itself is reused, copy what you keep. */
    public byte[] destinationAddress() {
        return destinationAddress;
    }

    /** The upper-layer protocol: IPv4 Protocol, or the IPv6 Next Header after the extension headers. */
    public int protocol() {
        return protocol;
    }

    public void setProtocol(int protocol) {
        this.protocol = protocol;
    }

    /** The IP header's length including options or extension headers ({@code FWPS_METADATA_FIELD_IP_HEADER_SIZE}). */
    public int ipHeaderSize() {
        return ipHeaderSize;
    }

    public void setIpHeaderSize(int ipHeaderSize) {
        this.ipHeaderSize = ipHeaderSize;
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

    /** Whether the fragment fields are meaningful ({@code FWPS_METADATA_FIELD_FRAGMENT_DATA}). */
    public boolean hasFragmentData() {
        return hasFragmentData;
    }

    /** Sets the fragment fields ({@code FWPS_INCOMING_METADATA_VALUES0.fragmentMetadata}). */
    public void setFragmentData(int identification, int offset, int length) {
        this.hasFragmentData = true;
        this.fragmentIdentification = identification;
        this.fragmentOffset = offset;
        this.fragmentLength = length;
    }

    /** The fragment's Identification field. */
    public int fragmentIdentification() {
        return fragmentIdentification;
    }

    /** The fragment's offset in bytes. */
    public int fragmentOffset() {
        return fragmentOffset;
    }

    /** The fragment's payload length in bytes. */
    public int fragmentLength() {
        return fragmentLength;
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
