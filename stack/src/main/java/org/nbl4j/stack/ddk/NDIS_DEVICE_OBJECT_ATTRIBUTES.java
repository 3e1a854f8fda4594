package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code NDIS_DEVICE_OBJECT_ATTRIBUTES}: what a filter driver passes to {@code NdisRegisterDeviceEx} to get a control
 * device: its names and the dispatch routines NDIS calls for it.
 */
public final class NDIS_DEVICE_OBJECT_ATTRIBUTES implements NdisStruct {
    /**
     * {@code Header}: Type {@code NDIS_OBJECT_TYPE_DEVICE_OBJECT_ATTRIBUTES}, Revision
     * {@code NDIS_DEVICE_OBJECT_ATTRIBUTES_REVISION_1}, Size {@code NDIS_SIZEOF_DEVICE_OBJECT_ATTRIBUTES_REVISION_1}.
     */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code DeviceName}: {@code \Device\...}. */
    public @Nullable UNICODE_STRING DeviceName;
    /** {@code SymbolicName}: {@code \DosDevices\...}, what user mode opens. */
    public @Nullable UNICODE_STRING SymbolicName;
    /** {@code MajorFunctions}: the dispatch table, indexed by {@code IRP_MJ_*}. */
    public @Nullable DRIVER_DISPATCH @Nullable [] MajorFunctions;
    /** {@code ExtensionSize} (accepted; the extension is an object, as for {@code IoCreateDevice}). */
    public int ExtensionSize;
    /** {@code DefaultSDDLString} (accepted, not enforced: the socket directory's permissions decide). */
    public @Nullable UNICODE_STRING DefaultSDDLString;

    @Override
    public int sizeof() {
        return NdisH.NDIS_SIZEOF_DEVICE_OBJECT_ATTRIBUTES_REVISION_1;
    }

    @Override
    public void zero() {
        Header.zero();
        DeviceName = null;
        SymbolicName = null;
        MajorFunctions = null;
        ExtensionSize = 0;
        DefaultSDDLString = null;
    }
}
