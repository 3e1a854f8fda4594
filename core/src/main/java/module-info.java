/**
 * nbl4j's buffer model: tagged off-heap memory and MDLs, NET_BUFFERs and NET_BUFFER_LISTs with their pools, the
 * buffer verifier, the debugger-style dumps and the status codes. It knows nothing of IP, WFP, files or devices.
 *
 * <p>Exports what a driver writer or a Java user programs against. {@code memory.internal} (the per-thread free lists
 * and element counters) is exported to the stack alone, which pools its WFP info containers the same way;
 * The verifier's JFR events are package-private in {@code verify}: a recording is read by event name.
 */
module org.nbl4j.core {
    requires static org.jspecify;
    requires jdk.jfr;

    exports org.nbl4j.core.buffer;
    exports org.nbl4j.core.diagnostics;
    exports org.nbl4j.core.memory;
    exports org.nbl4j.core.status;
    exports org.nbl4j.core.verify;
    exports org.nbl4j.core.memory.internal to
            org.nbl4j.stack;
}
