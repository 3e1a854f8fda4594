package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * An out-parameter: what a C caller passes as {@code &variable} so that the DDI can write the result there.
 *
 * <p>{@code PVOID Va; NdisQueryMdl(Mdl, &Va, &Length, NormalPagePriority);} ports as
 * {@code Ref<MemorySegment> Va = new Ref<>(); NdisQueryMdl(Mdl, Va, Length, NormalPagePriority);} and the result is
 * read with {@link #value()}. ULONG out-parameters are {@code Ref<Integer>}; the small values they usually carry
 * (IRQLs, byte counts up to 127) are cached boxes, larger ones box once per call.
 *
 * @param <T> the type of the C variable the pointer points to
 */
public final class Ref<T> {
    private @Nullable T value;

    /** A reference to a variable that holds {@code NULL} (or 0) until a DDI writes it. */
    public Ref() {}

    /** A reference to a variable initialised to {@code value} (for in/out parameters). */
    public Ref(@Nullable T value) {
        this.value = value;
    }

    /** The variable's value: {@code *p}. */
    public @Nullable T value() {
        return value;
    }

    /** Writes the variable: {@code *p = value}. */
    public void set(@Nullable T value) {
        this.value = value;
    }

    @Override
    public String toString() {
        return "&" + value;
    }
}
