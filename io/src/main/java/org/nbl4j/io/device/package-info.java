/**
 * Where user mode reaches a driver's devices: each symbolic link of the stack's I/O manager is a Unix-domain socket in
 * a directory ({@link org.nbl4j.io.device.DeviceSockets}), spoken to with the frames of
 * {@link org.nbl4j.io.device.DeviceProtocol} (docs/devices.md), and {@link org.nbl4j.io.device.DeviceHandle} is the
 * Java client: {@code CreateFile}, {@code DeviceIoControl} (synchronous and overlapped), {@code CancelIoEx},
 * {@code CloseHandle}. Java's Unix-domain socket channels need no native access.
 */
@NullMarked
package org.nbl4j.io.device;

import org.jspecify.annotations.NullMarked;
