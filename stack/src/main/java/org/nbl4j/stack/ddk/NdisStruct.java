package org.nbl4j.stack.ddk;

/**
 * A C structure modelled with public mutable fields, so that driver code fills it in line by line: the facade's
 * parameter structures, and a driver's own structures, which implement it too.
 *
 * <p>Gives {@code sizeof} and lets {@code NdisZeroMemory(&Struct, sizeof(Struct))} port as
 * {@code NdisZeroMemory(Struct, Struct.sizeof())} ({@code RtlZeroMemory} the same). A driver structure that must be
 * counted in poolmon under the driver's tag lives over a block from {@code ExAllocatePool2} or
 * {@code NdisAllocateMemoryWithTagPriority} instead: its accessors read and write the block's segment, and
 * {@link #zero()} fills it with zeros (docs/architecture.md, "Porting a driver's own structures").
 */
public interface NdisStruct {
    /** {@code sizeof} the structure as the current WDK headers declare it (x64). */
    int sizeof();

    /** Sets every field to zero, {@code FALSE} or {@code NULL}, as {@code NdisZeroMemory} over it does. */
    void zero();
}
