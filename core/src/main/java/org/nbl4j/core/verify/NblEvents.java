package org.nbl4j.core.verify;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import org.jspecify.annotations.Nullable;

/**
 * The verifier's JDK Flight Recorder events, category {@code nbl4j}: the lifecycle of every tracked buffer (allocate
 * or clone, send, inject, complete, free), every violation, and every outstanding buffer a leak report or a pool
 * close finds.
 *
 * <p>They are the counterpart of the NDIS NBL tracker's event log ({@code !ndiskd.nbllog}, spec
 * nbl-reuse-leak-and-diagnostics §1.6, §2.2), recorded into a {@code .jfr} file instead of kernel memory. The
 * {@link Verifier} emits them where it already records a tracked buffer, so they cost nothing when the verifier is
 * {@link VerifierLevel#OFF} or a buffer is not sampled; the lifecycle events cover every tracked buffer (NBLs, NBs
 * from NB pools and blocks of tagged memory: {@code description} tells which). The events carry no JFR stack trace:
 * their site fields name the caller's frame, with nbl4j's own frames trimmed away. Read them with
 * {@code jfr print --events nbl4j.NblAllocate recording.jfr} or {@code jdk.jfr.consumer.RecordingFile}.
 */
final class NblEvents {
    /** The category every event is in. */
    public static final String CATEGORY = "nbl4j";

    private NblEvents() {}

    /** A tracked buffer was allocated (not a clone: see {@link NblClone}). */
    @Name("nbl4j.NblAllocate")
    @Label("NBL Allocate")
    @Category(CATEGORY)
    @Description("A tracked NET_BUFFER_LIST, NET_BUFFER or tagged memory block was allocated")
    @StackTrace(false)
    public static final class NblAllocate extends Event {
        @Label("Tag")
        @Description("The pool tag the buffer is accounted under")
        public @Nullable String tag;

        @Label("Description")
        @Description("What the buffer is, e.g. NET_BUFFER_LIST[ALLOCATED, pool NblP]")
        public @Nullable String description;

        @Label("Site")
        @Description("The caller's frame that allocated it")
        public @Nullable String site;
    }

    /** A tracked NBL of kind {@code CLONE} was allocated ({@code NdisAllocateCloneNetBufferList}). */
    @Name("nbl4j.NblClone")
    @Label("NBL Clone")
    @Category(CATEGORY)
    @Description("A tracked clone NET_BUFFER_LIST was allocated (NdisAllocateCloneNetBufferList)")
    @StackTrace(false)
    public static final class NblClone extends Event {
        @Label("Tag")
        @Description("The pool tag the clone is accounted under")
        public @Nullable String tag;

        @Label("Description")
        @Description("What the clone is")
        public @Nullable String description;

        @Label("Site")
        @Description("The caller's frame that cloned")
        public @Nullable String site;
    }

    /** A tracked buffer was freed. */
    @Name("nbl4j.NblFree")
    @Label("NBL Free")
    @Category(CATEGORY)
    @Description("A tracked NET_BUFFER_LIST, NET_BUFFER or tagged memory block was freed")
    @StackTrace(false)
    public static final class NblFree extends Event {
        @Label("Tag")
        public @Nullable String tag;

        @Label("Description")
        public @Nullable String description;

        @Label("Clone")
        @Description("Whether the buffer was a clone")
        public boolean clone;

        @Label("Site")
        @Description("The caller's frame that freed it")
        public @Nullable String site;

        @Label("Allocation Site")
        @Description("The caller's frame that allocated it")
        public @Nullable String allocationSite;
    }

    /** The fields of a hand-off away from the owner: where the NBL went, from where, and where it was allocated. */
    public abstract static class HandOff extends Event {
        @Label("Tag")
        public @Nullable String tag;

        @Label("Description")
        public @Nullable String description;

        @Label("Holder")
        @Description("Who holds it now")
        public @Nullable String holder;

        @Label("Site")
        @Description("The caller's frame that handed it off")
        public @Nullable String site;

        @Label("Allocation Site")
        public @Nullable String allocationSite;
    }

    /** A tracked NBL was sent down the stack ({@link OwnerState#SENT}). */
    @Name("nbl4j.NblSend")
    @Label("NBL Send")
    @Category(CATEGORY)
    @Description("A tracked NET_BUFFER_LIST was handed off to SENT: sent down the stack")
    @StackTrace(false)
    public static final class NblSend extends HandOff {}

    /** A tracked NBL was given to WFP injection ({@link OwnerState#INJECTED}). */
    @Name("nbl4j.NblInject")
    @Label("NBL Inject")
    @Category(CATEGORY)
    @Description("A tracked NET_BUFFER_LIST was handed off to INJECTED: given to WFP injection")
    @StackTrace(false)
    public static final class NblInject extends HandOff {}

    /** A sent or injected NBL came back to its owner ({@link OwnerState#OWNED}): a send or injection completion. */
    @Name("nbl4j.NblComplete")
    @Label("NBL Complete")
    @Category(CATEGORY)
    @Description("A tracked NET_BUFFER_LIST came back to OWNED from SENT or INJECTED: its completion")
    @StackTrace(false)
    public static final class NblComplete extends Event {
        @Label("Tag")
        public @Nullable String tag;

        @Label("Description")
        public @Nullable String description;

        @Label("From")
        @Description("The state it came back from: SENT or INJECTED")
        public @Nullable String from;

        @Label("Previous Holder")
        @Description("Who held it while it was in flight")
        public @Nullable String previousHolder;

        @Label("Holder")
        @Description("Who holds it now")
        public @Nullable String holder;

        @Label("In Flight")
        @Description("How long it was away, on the verifier's clock")
        @Timespan(Timespan.NANOSECONDS)
        public long inFlight;

        @Label("Site")
        @Description("The caller's frame that completed it")
        public @Nullable String site;

        @Label("Allocation Site")
        public @Nullable String allocationSite;
    }

    /** A rule was broken; emitted whatever the {@link ViolationPolicy}, before a THROW policy throws. */
    @Name("nbl4j.NblViolation")
    @Label("NBL Violation")
    @Category(CATEGORY)
    @Description("The verifier found a broken rule of the NDIS buffer model")
    @StackTrace(false)
    public static final class NblViolation extends Event {
        @Label("Rule")
        public @Nullable String rule;

        @Label("Section")
        @Description("Where the spec states the rule")
        public @Nullable String section;

        @Label("Bugcheck")
        @Description("The bugcheck Windows would raise, as !analyze shows it, or empty")
        public @Nullable String bugcheck;

        @Label("Detail")
        public @Nullable String detail;

        @Label("Site")
        @Description("The caller's frame that broke the rule")
        public @Nullable String site;

        @Label("Tag")
        @Description("The tag of the buffer involved, if it is tracked")
        public @Nullable String tag;

        @Label("Description")
        @Description("The buffer involved, if it is tracked")
        public @Nullable String description;

        @Label("Allocation Site")
        public @Nullable String allocationSite;

        @Label("First Free Site")
        @Description("Where the buffer was freed before, for a use after free or a second free")
        public @Nullable String firstFreeSite;
    }

    /** A tracked buffer still outstanding when a leak report was made or its pool was closed. */
    @Name("nbl4j.NblLeak")
    @Label("NBL Leak")
    @Category(CATEGORY)
    @Description("A tracked buffer was outstanding when a leak report was made or its pool was closed")
    @StackTrace(false)
    public static final class NblLeak extends Event {
        @Label("Tag")
        public @Nullable String tag;

        @Label("Description")
        public @Nullable String description;

        @Label("Occasion")
        @Description("What looked for leaks: Verifier.leaks() or the pool being closed")
        public @Nullable String occasion;

        @Label("State")
        @Description("Its owner state")
        public @Nullable String state;

        @Label("Holder")
        @Description("Who holds it")
        public @Nullable String holder;

        @Label("Held")
        @Description("How long its holder has had it, on the verifier's clock")
        @Timespan(Timespan.NANOSECONDS)
        public long held;

        @Label("Allocation Site")
        public @Nullable String allocationSite;

        @Label("Last Touch")
        @Description("The last touch the verifier remembers, or empty")
        public @Nullable String lastTouch;
    }

    // ---- emission, from the Verifier only ----

    static void allocated(BufferTrack track) {
        if (track.isClone()) {
            NblClone event = new NblClone();
            if (event.shouldCommit()) {
                event.tag = track.tag().toString();
                event.description = track.description();
                event.site = track.allocation().toString();
                event.commit();
            }
        } else {
            NblAllocate event = new NblAllocate();
            if (event.shouldCommit()) {
                event.tag = track.tag().toString();
                event.description = track.description();
                event.site = track.allocation().toString();
                event.commit();
            }
        }
    }

    static void freed(BufferTrack track, Site site) {
        NblFree event = new NblFree();
        if (event.shouldCommit()) {
            event.tag = track.tag().toString();
            event.description = track.description();
            event.clone = track.isClone();
            event.site = site.toString();
            event.allocationSite = track.allocation().toString();
            event.commit();
        }
    }

    static void handedOff(
            BufferTrack track,
            OwnerState from,
            @Nullable Object previousHolder,
            long previousSinceNanos,
            OwnerState to,
            @Nullable Object holder,
            long nowNanos,
            @Nullable Site site) {
        switch (to) {
            case SENT -> commitHandOff(new NblSend(), track, holder, site);
            case INJECTED -> commitHandOff(new NblInject(), track, holder, site);
            case OWNED -> {
                if (from != OwnerState.SENT && from != OwnerState.INJECTED) {
                    return;
                }
                NblComplete event = new NblComplete();
                if (event.shouldCommit()) {
                    event.tag = track.tag().toString();
                    event.description = track.description();
                    event.from = from.name();
                    event.previousHolder = holderText(previousHolder);
                    event.holder = holderText(holder);
                    event.inFlight = nowNanos - previousSinceNanos;
                    event.site = siteText(site);
                    event.allocationSite = track.allocation().toString();
                    event.commit();
                }
            }
            case FREE, INDICATED -> {}
        }
    }

    static void violated(Violation violation) {
        NblViolation event = new NblViolation();
        if (event.shouldCommit()) {
            event.rule = violation.rule().name();
            event.section = violation.rule().section();
            Bugcheck bugcheck = violation.bugcheck();
            event.bugcheck = bugcheck == null ? "" : bugcheck.toString();
            event.detail = violation.detail();
            event.site = violation.site().toString();
            BufferTrack buffer = violation.buffer();
            if (buffer != null) {
                event.tag = buffer.tag().toString();
                event.description = buffer.description();
                event.allocationSite = buffer.allocation().toString();
                Site free = buffer.free();
                event.firstFreeSite = free == null ? "" : free.toString();
            }
            event.commit();
        }
    }

    static void leaked(PendingBuffer pending, String occasion) {
        NblLeak event = new NblLeak();
        if (event.shouldCommit()) {
            BufferTrack track = pending.buffer();
            event.tag = track.tag().toString();
            event.description = track.description();
            event.occasion = occasion;
            event.state = pending.state().name();
            event.holder = holderText(pending.holder());
            event.held = pending.held().toNanos();
            event.allocationSite = track.allocation().toString();
            var touches = track.touches();
            event.lastTouch = touches.isEmpty() ? "" : touches.getLast().toString();
            event.commit();
        }
    }

    /** Whether a leak event would be recorded: spares building the pending list otherwise. */
    static boolean leakRecorded() {
        return new NblLeak().isEnabled();
    }

    private static void commitHandOff(HandOff event, BufferTrack track, @Nullable Object holder, @Nullable Site site) {
        if (event.shouldCommit()) {
            event.tag = track.tag().toString();
            event.description = track.description();
            event.holder = holderText(holder);
            event.site = siteText(site);
            event.allocationSite = track.allocation().toString();
            event.commit();
        }
    }

    /** The hand-off's site; one the verifier did not keep (its touch trail backed off) is walked for the event. */
    private static String siteText(@Nullable Site site) {
        return (site != null ? site : Site.capture(null)).toString();
    }

    static String holderText(@Nullable Object holder) {
        return holder == null ? "its allocator" : holder.toString();
    }
}
