package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.ndis.LinkStateIndication;
import org.nbl4j.stack.ndis.StatusIndication;

/**
 * {@code NDIS_STATUS_INDICATION}: what {@code FilterStatus} receives and {@code NdisFIndicateStatus} passes on. A
 * link-state indication carries an {@link NDIS_LINK_STATE} as its {@code StatusBuffer}.
 */
public final class NDIS_STATUS_INDICATION {
    /** {@code Header}: {@code NDIS_OBJECT_TYPE_STATUS_INDICATION}, revision 1. */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code SourceHandle}: the miniport's adapter handle, or the filter module that originated it. */
    public @Nullable Object SourceHandle;
    /** {@code PortNumber}. */
    public int PortNumber;
    /** {@code StatusCode}: {@code NDIS_STATUS_LINK_STATE} and the others. */
    public int StatusCode;
    /** {@code Flags}. */
    public int Flags;
    /** {@code DestinationHandle}. */
    public @Nullable Object DestinationHandle;
    /** {@code RequestId}. */
    public @Nullable Object RequestId;
    /** {@code StatusBuffer}. */
    public @Nullable Object StatusBuffer;
    /** {@code StatusBufferSize}. */
    public int StatusBufferSize;

    static NDIS_STATUS_INDICATION of(StatusIndication indication) {
        NDIS_STATUS_INDICATION status = new NDIS_STATUS_INDICATION();
        status.Header.Type = NdisLwf.NDIS_OBJECT_TYPE_STATUS_INDICATION;
        status.Header.Revision = NdisLwf.NDIS_STATUS_INDICATION_REVISION_1;
        status.SourceHandle = indication.sourceHandle();
        status.PortNumber = indication.portNumber();
        status.StatusCode = indication.statusCode();
        status.StatusBuffer = indication.statusBuffer() instanceof LinkStateIndication state
                ? NDIS_LINK_STATE.of(state)
                : indication.statusBuffer();
        status.StatusBufferSize = indication.statusBufferSize();
        return status;
    }

    StatusIndication toStack(Object defaultSource) {
        return new StatusIndication(
                SourceHandle != null ? SourceHandle : defaultSource,
                PortNumber,
                StatusCode,
                StatusBuffer instanceof NDIS_LINK_STATE state ? state.toStack() : StatusBuffer,
                StatusBufferSize);
    }
}
