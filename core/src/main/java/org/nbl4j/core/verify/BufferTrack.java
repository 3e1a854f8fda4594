package org.nbl4j.core.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.PoolTag;

/**
 * What the verifier knows of one tracked buffer (an NBL, an NB or a block of tagged memory): where it was allocated,
 * who holds it and since when, the last touches, where it was freed, and at {@link VerifierLevel#FULL} its event log.
 *
 * <p>Corresponds to an entry of the NDIS NBL tracker behind {@code !ndiskd.nbl -log} and {@code !ndiskd.pendingnbls}.
 */
public final class BufferTrack {
    /** Past a full trail, a touch is kept with probability 1 / 2^excess, down to 1 / 2^10 at the most. */
    private static final int MAXIMUM_BACK_OFF = 10;

    private final String description;
    private final PoolTag tag;
    private final Site allocation;
    private volatile boolean clone;
    private final Site[] touches;
    private final @Nullable List<BufferEvent> events;
    private int touchCount;
    private @Nullable Object holder;
    private OwnerState state = OwnerState.OWNED;
    private long sinceNanos;
    private @Nullable Site free;
    /** The held-clone watchdog reported the current holding already: one report per holder, not one per look. */
    private boolean reportedLate;

    BufferTrack(
            String description,
            PoolTag tag,
            Site allocation,
            boolean clone,
            int touchRecords,
            boolean keepLog,
            long nowNanos) {
        this.description = description;
        this.tag = tag;
        this.allocation = allocation;
        this.clone = clone;
        this.touches = new Site[touchRecords];
        this.events = keepLog ? new ArrayList<>() : null;
        this.sinceNanos = nowNanos;
    }

    /** What the buffer is, e.g. {@code NET_BUFFER_LIST[CLONE, pool NDnl]}. */
    public String description() {
        return description;
    }

    /** The tag the buffer is accounted under. */
    public PoolTag tag() {
        return tag;
    }

    /** Where it was allocated. */
    public Site allocation() {
        return allocation;
    }

    /** Marks a buffer that became a clone after it was allocated ({@link Verifier#watchAsClone}). */
    void markClone() {
        clone = true;
    }

    /** Whether it is a clone (shallow or deep), which the held-clone watchdog watches. */
    public boolean isClone() {
        return clone;
    }

    /** Who holds it now: the component it was last handed to, or {@code null} for its allocator. */
    public synchronized @Nullable Object holder() {
        return holder;
    }

    /** Its owner state. */
    public synchronized OwnerState state() {
        return state;
    }

    /** When its holder got it, on the verifier's clock. */
    public synchronized long sinceNanos() {
        return sinceNanos;
    }

    /** Where it was freed, if it was. */
    public synchronized @Nullable Site free() {
        return free;
    }

    /** The last touches, oldest first. */
    public synchronized List<Site> touches() {
        List<Site> recent = new ArrayList<>(touches.length);
        int count = Math.min(touchCount, touches.length);
        for (int i = touchCount - count; i < touchCount; i++) {
            recent.add(touches[i % touches.length]);
        }
        return recent;
    }

    /** The event log ({@link VerifierLevel#FULL} only; empty otherwise). */
    public synchronized List<BufferEvent> events() {
        return events == null ? List.of() : List.copyOf(events);
    }

    /**
     * Whether the next touch should be walked and kept: always while the trail has room, then with a probability that
     * halves with every touch kept beyond it (Netty's {@code ResourceLeakDetector} backs off the same way), but never
     * below 1 in 1024, so that the trail of a buffer reused for millions of packets still moves on.
     */
    synchronized boolean takesAnotherTouch() {
        int excess = touchCount - touches.length;
        return excess < 0 || ThreadLocalRandom.current().nextInt(1 << Math.min(excess, MAXIMUM_BACK_OFF)) == 0;
    }

    /** How many touches were kept in the trail over the buffer's life (the trail shows the last of them). */
    synchronized int keptTouches() {
        return touchCount;
    }

    synchronized void touched(Site site) {
        if (touches.length > 0) {
            touches[touchCount % touches.length] = site;
        }
        touchCount++;
    }

    synchronized void handedOff(OwnerState newState, @Nullable Object newHolder, long nowNanos) {
        state = newState;
        holder = newHolder;
        sinceNanos = nowNanos;
        reportedLate = false;
    }

    /**
     * The clone's current holding, if it is still held and has not been reported: who holds it and for how long at
     * {@code nowNanos}, and the holding is marked reported. {@code null} if it was freed or reported already.
     */
    synchronized @Nullable PendingBuffer lateHolding(long nowNanos, Duration budget) {
        if (state == OwnerState.FREE || reportedLate) {
            return null;
        }
        Duration held = Duration.ofNanos(nowNanos - sinceNanos);
        if (held.compareTo(budget) <= 0) {
            return null;
        }
        reportedLate = true;
        return new PendingBuffer(this, state, holder, held);
    }

    synchronized void freed(Site site, long nowNanos) {
        state = OwnerState.FREE;
        holder = null;
        sinceNanos = nowNanos;
        free = site;
    }

    synchronized void log(BufferEvent event) {
        if (events != null) {
            events.add(event);
        }
    }

    @Override
    public String toString() {
        return description + " allocated at " + allocation;
    }
}
