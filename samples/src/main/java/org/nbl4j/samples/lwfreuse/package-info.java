/**
 * Seed 001 ported line by line: the lightweight filter of the OSR thread "LWF driver - reusing NET_BUFFER_LIST
 * structures for sending", which preallocates its send NBLs, recycles them in its send-complete handler, and leaks
 * {@code Wfpn} on Windows 10 (nbl-reuse-leak-and-diagnostics §1). {@link org.nbl4j.samples.lwfreuse.LwfReuseDriver} is
 * its {@code DriverEntry} (registration through {@code NdisFRegisterFilterDriver}) and filter handlers;
 * {@link org.nbl4j.samples.lwfreuse.RecyclingLwf} is the module as posted, {@link org.nbl4j.samples.lwfreuse.CorrectedLwf} the fix (§1.5 recipe 1), and
 * {@link org.nbl4j.samples.lwfreuse.LwfReuseRun} runs either on a host and reports poolmon, the verifier and the leaks.
 */
@NullMarked
package org.nbl4j.samples.lwfreuse;

import org.jspecify.annotations.NullMarked;
