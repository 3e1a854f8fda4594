package org.nbl4j.stack.ddk;

/**
 * A C structure the facade models with public mutable fields, so that driver code fills it in line by line.
 *
 * <p>Gives {@code sizeof} and lets {@code NdisZeroMemory(&Struct, sizeof(Struct))} port as
 * {@code NdisZeroMemory(Struct, Struct.sizeof())}.
 */
public sealed interface NdisStruct
        permits NDIS_DEVICE_OBJECT_ATTRIBUTES, NET_BUFFER_LIST_POOL_PARAMETERS, NET_BUFFER_POOL_PARAMETERS {
    /** {@code sizeof} the structure as the current WDK headers declare it (x64). */
    int sizeof();

    /** Sets every field to zero, {@code FALSE} or {@code NULL}, as {@code NdisZeroMemory} over it does. */
    void zero();
}
