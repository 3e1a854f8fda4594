/**
 * Linux TUN devices as nbl4j miniports: {@link org.nbl4j.io.tun.TunDevice} binds {@code /dev/net/tun} through the
 * Foreign Function &amp; Memory API (no JNI), and {@link org.nbl4j.io.tun.TunMiniport} puts NET_BUFFER_LISTs over it,
 * reading and writing raw IP packets straight into and out of pool memory.
 */
@NullMarked
package org.nbl4j.io.tun;

import org.jspecify.annotations.NullMarked;
