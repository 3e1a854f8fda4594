package org.nbl4j.stack.wfp;

/**
 * Which Windows the stack behaves like where the WFP info container is concerned (nbl-reuse-leak-and-diagnostics
 * §1.2): Windows 8 and later bind the in-box WFP lightweight filter ({@code wfplwfs.sys}) at the bottom of every
 * adapter, and it attaches a container to each NBL it sees on the send path; Windows 7 has no layer-2 WFP and no such
 * filter. That difference is why the recycling driver of the seed-001 thread leaks {@code Wfpn} on Windows 10 only.
 */
public enum PlatformProfile {
    /** The WFP lightweight filter attaches a container on every send. The default. */
    WINDOWS_10,
    /** No WFP lightweight filter: sends carry no container unless a callout or the WFP APIs attached one. */
    WINDOWS_7;

    /** Whether the WFP lightweight filter is bound below every adapter. */
    public boolean hasWfpLwf() {
        return this == WINDOWS_10;
    }
}
