package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/** {@code NDIS_IO_WORKITEM_FUNCTION}: an NDIS work item's routine, run at PASSIVE_LEVEL. */
@FunctionalInterface
public interface NDIS_IO_WORKITEM_FUNCTION {
    /** {@code (WorkItemContext, NdisIoWorkItemHandle)}. */
    void call(@Nullable Object WorkItemContext, NDIS_IO_WORKITEM NdisIoWorkItemHandle);
}
