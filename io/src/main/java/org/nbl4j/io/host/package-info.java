/**
 * What the host role learns from the Linux host whose applications it serves: {@link
 * org.nbl4j.io.host.ProcSocketOwners}, the process behind a flow's socket, from {@code /proc}.
 */
@NullMarked
package org.nbl4j.io.host;

import org.jspecify.annotations.NullMarked;
