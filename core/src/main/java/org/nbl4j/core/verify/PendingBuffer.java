package org.nbl4j.core.verify;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One line of {@code !ndiskd.pendingnbls}: an outstanding tracked buffer, who holds it, and for how long.
 *
 * @param buffer the tracked buffer
 * @param state its owner state
 * @param holder who holds it ({@code null}: its allocator)
 * @param held how long its holder has had it
 */
public record PendingBuffer(
        BufferTrack buffer, OwnerState state, @Nullable Object holder, Duration held) {}
