package org.nbl4j.samples.lwfreuse;

import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;

/**
 * The seed driver's {@code sendPrealocatedNBLqueue}: a fixed-size ring of preallocated NBLs, first in first out, with
 * the driver's {@code CircularQueuePush} / {@code CircularQueuePop} helpers (their bodies are not in the thread; this
 * is the obvious ring). Called from the send path and the send-complete handler, which may run on different
 * processors, so it is locked.
 */
public final class CircularQueue {
    private final @Nullable NetBufferList[] slots;
    private int head;
    private int count;

    /** A queue that holds at most {@code capacity} NBLs. */
    public CircularQueue(int capacity) {
        this.slots = new NetBufferList[capacity];
    }

    /**
     * {@code CircularQueuePush(queue, nbl)}.
     *
     * @return TRUE, or FALSE when the queue is full
     */
    public static boolean CircularQueuePush(CircularQueue queue, NetBufferList nbl) {
        synchronized (queue) {
            if (queue.count == queue.slots.length) {
                return false;
            }
            queue.slots[(queue.head + queue.count) % queue.slots.length] = nbl;
            queue.count++;
            return true;
        }
    }

    /** {@code CircularQueuePop(queue)}: the oldest NBL, or {@code NULL} when the queue is empty. */
    public static @Nullable NetBufferList CircularQueuePop(CircularQueue queue) {
        synchronized (queue) {
            if (queue.count == 0) {
                return null;
            }
            NetBufferList nbl = queue.slots[queue.head];
            queue.slots[queue.head] = null;
            queue.head = (queue.head + 1) % queue.slots.length;
            queue.count--;
            return nbl;
        }
    }

    /** The NBL {@code CircularQueuePop} would return next, left in the queue (for diagnostics). */
    public synchronized @Nullable NetBufferList oldest() {
        return count == 0 ? null : slots[head];
    }

    /** How many NBLs wait in the queue. */
    public synchronized int size() {
        return count;
    }
}
