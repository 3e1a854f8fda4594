package org.nbl4j.stack.wfp;

/** The {@code FWPS_INJECTION_TYPE_*} flags of {@code FwpsInjectionHandleCreate0} (§3.1). */
public final class InjectionType {
    public static final int FWPS_INJECTION_TYPE_STREAM = 0x00000001;
    public static final int FWPS_INJECTION_TYPE_TRANSPORT = 0x00000002;
    public static final int FWPS_INJECTION_TYPE_NETWORK = 0x00000004;
    public static final int FWPS_INJECTION_TYPE_FORWARD = 0x00000008;
    public static final int FWPS_INJECTION_TYPE_L2 = 0x00000010;
    public static final int FWPS_INJECTION_TYPE_VSWITCH_TRANSPORT = 0x00000020;
    /** Every defined bit. */
    static final int ALL = 0x0000003F;
    /** What a handle created with flags 0 may do: transport, stream and forward injection (§3.1). */
    static final int WHEN_ZERO =
            FWPS_INJECTION_TYPE_TRANSPORT | FWPS_INJECTION_TYPE_STREAM | FWPS_INJECTION_TYPE_FORWARD;

    private InjectionType() {}
}
