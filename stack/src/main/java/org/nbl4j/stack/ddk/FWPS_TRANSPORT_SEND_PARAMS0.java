package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code FWPS_TRANSPORT_SEND_PARAMS0} (fwpsk.h; wfp-callouts-and-injection §3.7) as a C structure with public fields:
 * the {@code sendArgs} of {@code FwpsInjectTransportSendAsync0}. nbl4j uses {@code remoteAddress}; control data is kept
 * for ported code, not applied.
 */
public final class FWPS_TRANSPORT_SEND_PARAMS0 {
    /** {@code remoteAddress}: the destination, 4 (IPv4) or 16 (IPv6) bytes in network byte order. */
    public byte @Nullable [] remoteAddress;
    /** {@code remoteScopeId.Value}. */
    public int remoteScopeId;
    /** {@code controlData}: the WSACMSGHDR list the endpoint sent with (kept, not applied). */
    public @Nullable Object controlData;
    /** {@code controlDataLength}. */
    public int controlDataLength;
}
