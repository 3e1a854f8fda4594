package org.nbl4j.stack.ddk;

/** The {@code NDIS_HANDLE} of an NDIS work item, from {@code NdisAllocateIoWorkItem}. */
public final class NDIS_IO_WORKITEM {
    NDIS_IO_WORKITEM() {}
}
