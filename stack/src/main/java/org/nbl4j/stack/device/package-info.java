/**
 * The I/O manager's part of the stack: device objects, symbolic links, file objects, IRPs with their buffers, pending,
 * cancellation and completion, and the cancel-safe queue. User mode reaches a device through a symbolic link: the
 * stack knows no sockets, so {@code org.nbl4j.io} listens for links ({@link org.nbl4j.stack.device.LinkListener}) and
 * opens {@link org.nbl4j.stack.device.FileObject}s for its clients. The {@code ddk} facade's {@code WdmIo} translates
 * the C DDIs onto these classes.
 */
@NullMarked
package org.nbl4j.stack.device;

import org.jspecify.annotations.NullMarked;
