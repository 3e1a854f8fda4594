/**
 * The kernel services a ported driver calls besides NDIS and WFP: spin locks with real mutual exclusion between Java
 * threads, events and waits, system threads, DPCs, timers and work items, and the rules of their use that the
 * verifier checks ({@link org.nbl4j.stack.kernel.KernelRule}). On Windows they are {@code ntoskrnl}'s; here they sit
 * below NDIS, so that the filter path and the filter engine can check, after a driver's handler returns, that it
 * released its spin locks ({@link org.nbl4j.stack.kernel.HeldSpinLocks}).
 *
 * <p>The {@code ddk} facade's {@code Ntddk}, {@code NdisKernel} and {@code Wdf} give them their C names.
 */
@NullMarked
package org.nbl4j.stack.kernel;

import org.jspecify.annotations.NullMarked;
