package org.nbl4j.stack.ip;

import org.jspecify.annotations.Nullable;

/**
 * One flow of the host role: the transport session of a 5-tuple (protocol, local and remote address and port), which
 * WFP's ALE layers authorize once and which carries callouts' flow contexts (wfp-callouts-and-injection §4.9, §5.2).
 * tcpip.sys keeps it in its endpoint and ALE state; nbl4j keeps it in the {@link FlowTable}. For ICMP the "ports" are
 * the echo identifier on both sides, so a request and its reply share a flow.
 *
 * <p>The key fields never change. The state fields are written only under the table's lock or on the thread that owns
 * the packet in hand; the filter engine keeps its per-flow state in {@link #hookState} without a lookup.
 */
public final class Flow {
    /** The flow is being authorized, or its authorization was pended (not yet decided). */
    static final int AUTHORIZING = 0;
    /** The ALE layers permitted the flow: its packets pass without being authorized again. */
    static final int PERMITTED = 1;
    /** The ALE layers blocked the flow: its packets are dropped until it ends. */
    static final int BLOCKED = 2;
    /** A callout pended the authorization ({@code FwpsPendOperation0}): packets wait (are dropped) until it completes. */
    static final int PENDED = 3;

    private final long handle;
    final AddressFamily family;
    final int protocol;
    final long localHigh;
    final long localLow;
    final long remoteHigh;
    final long remoteLow;
    final int localPort;
    final int remotePort;
    /** Whether this host started the flow (an outbound connect) rather than the remote (a receive or accept). */
    final boolean outbound;

    int state = AUTHORIZING;
    /** The ALE layer that authorized (or is authorizing) the flow. */
    @Nullable
    HookPoint authorizedAt;
    /** Whether the flow's ALE authorization is being classified now, on some thread: only then can it be pended. */
    boolean inAuthorization;
    /** Whether that classification is a reauthorization (FWP_CONDITION_FLAG_IS_REAUTHORIZE), which cannot pend. */
    boolean reauthorizing;
    /**
     * Whether a callout pended the flow in the classification in progress: its verdict (BLOCK + ABSORB) then records
     * nothing, since the pend may already have been completed on another thread.
     */
    boolean pendedInAuthorization;
    /** The interface the flow's packets leave by (outbound) or arrive on (inbound), for a reauthorization. */
    int interfaceIndex;

    int compartmentId;
    boolean established;
    /** TCP: the responder's SYN+ACK was seen, so the initiator's next ACK completes the handshake. */
    boolean synAcknowledged;

    boolean finOutbound;
    boolean finInbound;
    /** The stack time after which the flow ends, 0 while it is open: set by FIN in both directions or RST. */
    long closeDeadline;

    long lastSeenNanos;
    /**
     * Per-direction TCP sequence state, kept for the stream layer: the next sequence number expected from this host
     * (outbound) and from the remote (inbound).
     */
    long nextSequenceOutbound;

    long nextSequenceInbound;
    /**
     * TCP: the sequence number of the packet that started the flow (the SYN), so that a connect refused after its SYN
     * was dropped (a pended connect whose reauthorization blocks) can still be answered with a reset.
     */
    int initiatorSequence;
    /** Who owns the flow's socket on the host, asked when the flow is authorized at ALE; null if unknown. */
    @Nullable
    SocketOwner owner;

    /** Next in the table's hash chain. */
    @Nullable
    Flow next;

    private volatile @Nullable Object hookState;

    Flow(
            long handle,
            AddressFamily family,
            int protocol,
            long localHigh,
            long localLow,
            long remoteHigh,
            long remoteLow,
            int localPort,
            int remotePort,
            boolean outbound) {
        this.handle = handle;
        this.family = family;
        this.protocol = protocol;
        this.localHigh = localHigh;
        this.localLow = localLow;
        this.remoteHigh = remoteHigh;
        this.remoteLow = remoteLow;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.outbound = outbound;
    }

    /** The flow's handle: {@code inMetaValues->flowHandle}, the {@code flowId} of the flow-context DDIs. */
    public long handle() {
        return handle;
    }

    /** The IP version of the flow. */
    public AddressFamily family() {
        return family;
    }

    /** The upper-layer protocol. */
    public int protocol() {
        return protocol;
    }

    /** Whether this host started the flow. */
    public boolean isOutbound() {
        return outbound;
    }

    /** This host's port (the ICMP echo identifier for ICMP). */
    public int localPort() {
        return localPort;
    }

    /** The remote port (the ICMP echo identifier for ICMP). */
    public int remotePort() {
        return remotePort;
    }

    /** This host's address, in network byte order (4 or 16 bytes). */
    public byte[] localAddress() {
        return address(localHigh, localLow);
    }

    /** The remote address, in network byte order (4 or 16 bytes). */
    public byte[] remoteAddress() {
        return address(remoteHigh, remoteLow);
    }

    private byte[] address(long high, long low) {
        byte[] bytes = new byte[family == AddressFamily.INET ? 4 : 16];
        IpAddresses.toBytes(family, high, low, bytes);
        return bytes;
    }

    /** The process that owns the flow's socket on the host, or null when it could not be told ({@link SocketOwners}). */
    public @Nullable SocketOwner owner() {
        return owner;
    }

    /** Whether the flow was shown at ALE_FLOW_ESTABLISHED. */
    public boolean isEstablished() {
        return established;
    }

    /** What the packet hook keeps for this flow (the filter engine: its callouts' flow contexts), or null. */
    public @Nullable Object hookState() {
        return hookState;
    }

    public void setHookState(@Nullable Object hookState) {
        this.hookState = hookState;
    }

    boolean matches(
            AddressFamily family,
            int protocol,
            long localHigh,
            long localLow,
            long remoteHigh,
            long remoteLow,
            int localPort,
            int remotePort) {
        return this.localLow == localLow
                && this.remoteLow == remoteLow
                && this.localPort == localPort
                && this.remotePort == remotePort
                && this.protocol == protocol
                && this.localHigh == localHigh
                && this.remoteHigh == remoteHigh
                && this.family == family;
    }

    @Override
    public String toString() {
        return "flow " + handle + " (protocol " + protocol + ", " + (outbound ? "outbound" : "inbound") + ", ports "
                + localPort + "/" + remotePort + ")";
    }
}
