package org.nbl4j.stack.ddk;

import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.wfp.Callout;
import org.nbl4j.stack.wfp.ClassifyFn;
import org.nbl4j.stack.wfp.FlowDeleteFn;
import org.nbl4j.stack.wfp.NotifyFn;

/**
 * {@code FWPS_CALLOUT} ({@code FWPS_CALLOUT2}, wfp-callouts-and-injection §4.1) as a C structure with public fields, which
 * a driver fills in field by field before {@code FwpsCalloutRegister2}; the facade turns it into the engine's
 * {@link Callout}, the Java API's record.
 */
public final class FWPS_CALLOUT {
    /** {@code calloutKey}: the GUID its {@code FWPM_CALLOUT0} and filters name. */
    public @Nullable UUID calloutKey;
    /** {@code flags}: {@code FWP_CALLOUT_FLAG_*}. */
    public int flags;
    /** {@code classifyFn}: required. */
    public @Nullable ClassifyFn classifyFn;
    /** {@code notifyFn}, or {@code NULL}. */
    public @Nullable NotifyFn notifyFn;
    /** {@code flowDeleteFn}, or {@code NULL}. */
    public @Nullable FlowDeleteFn flowDeleteFn;

    /** {@code RtlZeroMemory(&callout, sizeof(callout))}: every field zero or {@code NULL}. */
    public void zero() {
        calloutKey = null;
        flags = 0;
        classifyFn = null;
        notifyFn = null;
        flowDeleteFn = null;
    }

    /** The engine's callout; a {@code NULL} key is the zero GUID, as zeroed C memory is. */
    Callout toCallout() {
        ClassifyFn classify = classifyFn;
        if (classify == null) {
            throw new IllegalStateException("FWPS_CALLOUT.classifyFn is NULL");
        }
        return new Callout(calloutKey == null ? new UUID(0, 0) : calloutKey, flags, classify, notifyFn, flowDeleteFn);
    }
}
