/**
 * Status codes of the emulated kernel APIs: the {@code NTSTATUS} and {@code NDIS_STATUS} values that NDIS and WFP
 * functions return and that travel in {@code NET_BUFFER_LIST.Status}, kept as plain {@code int}s so that they can be
 * compared, stored and logged exactly as in C.
 */
@org.jspecify.annotations.NullMarked
package org.nbl4j.core.status;
