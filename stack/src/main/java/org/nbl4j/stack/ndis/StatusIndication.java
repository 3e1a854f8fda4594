package org.nbl4j.stack.ndis;

import org.jspecify.annotations.Nullable;

/**
 * An {@code NDIS_STATUS_INDICATION} travelling up from the miniport ({@code NdisMIndicateStatusEx}) through each
 * filter module's {@code FilterStatus} ({@code NdisFIndicateStatus}) to the protocol's {@code ProtocolStatusEx}.
 *
 * @param sourceHandle who indicated it: the miniport block, or the filter module that originated it
 * @param portNumber {@code PortNumber}
 * @param statusCode {@code StatusCode}, for example {@link Oids#NDIS_STATUS_LINK_STATE}
 * @param statusBuffer {@code StatusBuffer}: a {@link LinkStateIndication} for a link-state indication
 * @param statusBufferSize {@code StatusBufferSize} in bytes of the C structure the buffer stands for
 */
public record StatusIndication(
        Object sourceHandle,
        int portNumber,
        int statusCode,
        @Nullable Object statusBuffer,
        int statusBufferSize) {

    /** The {@code NDIS_STATUS_LINK_STATE} indication of {@code state}, from {@code sourceHandle}. */
    public static StatusIndication linkState(Object sourceHandle, LinkStateIndication state) {
        return new StatusIndication(
                sourceHandle,
                NdisFlags.NDIS_DEFAULT_PORT_NUMBER,
                Oids.NDIS_STATUS_LINK_STATE,
                state,
                Oids.NDIS_SIZEOF_LINK_STATE_REVISION_1);
    }
}
