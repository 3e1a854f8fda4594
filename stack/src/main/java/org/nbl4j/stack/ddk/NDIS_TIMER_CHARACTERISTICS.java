package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/** {@code NDIS_TIMER_CHARACTERISTICS}: what {@code NdisAllocateTimerObject} needs, filled in field by field. */
public final class NDIS_TIMER_CHARACTERISTICS implements NdisStruct {
    /** {@code Header}: {@code NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS}, revision 1, size 24. */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code AllocationTag}. */
    public int AllocationTag;
    /** {@code TimerFunction}. */
    public @Nullable NDIS_TIMER_FUNCTION TimerFunction;
    /** {@code FunctionContext}: the default context, used when {@code NdisSetTimerObject} passes {@code NULL}. */
    public @Nullable Object FunctionContext;

    /** {@code NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1} on x64. */
    @Override
    public int sizeof() {
        return NdisKernel.NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
    }

    @Override
    public void zero() {
        Header.zero();
        AllocationTag = 0;
        TimerFunction = null;
        FunctionContext = null;
    }
}
