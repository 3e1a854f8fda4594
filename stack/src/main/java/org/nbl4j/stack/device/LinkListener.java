package org.nbl4j.stack.device;

/**
 * Told when a symbolic link appears or goes: the io module makes each link a Unix-domain socket user mode connects to,
 * as Windows makes a link a name {@code CreateFile} can open ({@code \\.\Name}).
 */
public interface LinkListener {
    /** {@code IoCreateSymbolicLink} made {@code linkName} (e.g. {@code \DosDevices\Verdicts}). */
    void linkCreated(String linkName);

    /** {@code IoDeleteSymbolicLink} removed it; open handles keep working until they are closed. */
    void linkDeleted(String linkName);
}
