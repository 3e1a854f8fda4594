/**
 * The DDI-shaped face of nbl4j, for driver writers who port C code line by line: {@link org.nbl4j.stack.ddk.NdisH}
 * ({@code ndis.h}) and {@link org.nbl4j.stack.ddk.Wdm} ({@code wdm.h}); the WFP faces {@code Fwpsk} and {@code Fwpmk} follow the same
 * rules. It only translates: the behaviour is in {@code org.nbl4j.core}.
 *
 * <p>Conventions, the same in every class of the package:
 *
 * <ul>
 *   <li>Functions, macros, structures, fields and constants keep their C names, C argument order and C values
 *       ({@code import static org.nbl4j.stack.ddk.NdisH.*; import static org.nbl4j.stack.ddk.Wdm.*;}). Each name lives
 *       in exactly one class, so both on-demand imports can be used together. A constant core already defines is
 *       re-exported from core, never retyped.
 *   <li>{@code NDIS_STATUS} and {@code NTSTATUS} are {@code int}; ULONG, USHORT and UCHAR are {@code int}, BOOLEAN
 *       is {@code boolean}, {@code KIRQL} is {@code int}; {@code NULL} is {@code null}.
 *   <li>An out-parameter ({@code &variable}) is a {@link org.nbl4j.stack.ddk.Ref}.
 *   <li>A macro that C uses as an lvalue is a pair of overloads with the macro's name: the one-argument form reads,
 *       the form with one more argument writes. {@code NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;} ports as
 *       {@code NET_BUFFER_LIST_NEXT_NBL(nbl, null);} and {@code x = NET_BUFFER_LIST_NEXT_NBL(nbl);} as itself.
 *   <li>Handles are the core objects: an NBL pool's {@code NDIS_HANDLE} is its {@code NetBufferListPool}. A driver's
 *       own {@code NdisHandle} is an {@link org.nbl4j.stack.ddk.NdisHandle}, a core {@code Ndis}, or {@code null}
 *       for the thread's {@link org.nbl4j.stack.ddk.SystemNdis}.
 *   <li>A C pointer into memory is a {@code MemorySegment} ({@code p + n} is {@code p.asSlice(n)}); memory from
 *       {@code NdisAllocateMemoryWithTag*} is a {@code MemoryBlock}. C structures the driver fills in are classes
 *       with public mutable fields ({@link org.nbl4j.stack.ddk.NET_BUFFER_LIST_POOL_PARAMETERS}).
 *   <li>Direct field writes of NDIS structures that have no accessor macro ({@code nbl->SourceHandle = h;}) port to
 *       the core setter ({@code nbl.setSourceHandle(h);}).
 *   <li>Pool tags written as C multi-character constants ({@code 'ooPF'}) are {@link
 *       org.nbl4j.stack.ddk.CLiteral#tag CLiteral.tag("ooPF")}.
 * </ul>
 *
 * <p>The kernel helpers follow the same conventions: {@link org.nbl4j.stack.ddk.Ntddk} (spin locks, events, threads,
 * DPCs, timers, work items, pool, {@code LIST_ENTRY}, {@code Rtl}), {@link org.nbl4j.stack.ddk.NdisKernel}
 * ({@code ndis.h}'s locks, events, work items and timer objects) and {@link org.nbl4j.stack.ddk.Wdf} (a control
 * device and the driver's parameters), over {@code org.nbl4j.stack.kernel}.
 */
@NullMarked
package org.nbl4j.stack.ddk;

import org.jspecify.annotations.NullMarked;
