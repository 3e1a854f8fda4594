package org.nbl4j.core.verify;

import java.lang.System.Logger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.MemoryWatch;
import org.nbl4j.core.memory.PoolTag;

/**
 * The buffer verifier of one {@link org.nbl4j.core.buffer.Ndis}: tracks allocation sites, owners and touches, checks
 * IRQL rules, and reports violations and leaks with the sites that explain them.
 *
 * <p>Corresponds to NDIS's NBL tracker ({@code TrackNblOwner}) and the NDIS rules of Driver Verifier. At
 * {@link VerifierLevel#STANDARD} one buffer in {@link VerifierSettings#samplingInterval()} is tracked with sites (as
 * Netty samples its leak detection), and every clone; at {@link VerifierLevel#FULL} every buffer is, with an event log.
 * Once it tracks a clone, a daemon timer ({@link HeldCloneWatchdog}) looks for clones held past their budget until
 * {@link #close()}.
 */
public final class Verifier {
    private static final Logger LOG = System.getLogger(Verifier.class.getName());

    private final VerifierSettings settings;
    private final boolean enabled;
    private final Set<BufferTrack> live = ConcurrentHashMap.newKeySet();
    /** The tracked clones still allocated: the few the held-clone watchdog looks at. */
    private final Set<BufferTrack> liveClones = ConcurrentHashMap.newKeySet();
    /** How many buffers of each tag were ever tracked: at FULL, as many as poolmon counts allocations of NBLs and NBs. */
    private final ConcurrentHashMap<PoolTag, LongAdder> trackedByTag = new ConcurrentHashMap<>();
    /** Whether the watchdog timer runs or must not start again ({@link #close()}); read on every tracked clone. */
    private volatile boolean watchdogSettled;

    private @Nullable ScheduledFuture<?> watchdog;
    private final List<Violation> violations = new CopyOnWriteArrayList<>();
    private final MemoryWatch memoryWatch = new VerifierMemoryWatch(this);

    public Verifier(VerifierSettings settings) {
        this.settings = settings;
        this.enabled = settings.level() != VerifierLevel.OFF;
    }

    /** This verifier as the watch of a {@code TaggedMemory}: follows its sampled blocks and reports its misuse. */
    public MemoryWatch memoryWatch() {
        return memoryWatch;
    }

    /** The settings. */
    public VerifierSettings settings() {
        return settings;
    }

    /** Whether owner states and IRQL rules are checked (any level but OFF). */
    public boolean enabled() {
        return enabled;
    }

    /** Whether every touch and hand-off is recorded ({@link VerifierLevel#FULL}). */
    public boolean full() {
        return settings.level() == VerifierLevel.FULL;
    }

    /**
     * Decides at allocation whether a buffer is tracked with sites, and if so starts its track. A clone is always
     * tracked: clones are few, and the held-clone watchdog (seed 000) can only watch the clones it tracks. Other
     * buffers are sampled one in {@link VerifierSettings#samplingInterval()} (every one at {@link VerifierLevel#FULL}).
     * The buffer's {@code toString()} (its description in reports) is only built for a buffer that is tracked.
     *
     * @return the track, or {@code null} if the buffer is not sampled
     */
    public @Nullable BufferTrack track(Object buffer, PoolTag tag, boolean clone) {
        if (!enabled
                || (!clone
                        && settings.samplingInterval() > 1
                        && ThreadLocalRandom.current().nextInt(settings.samplingInterval()) != 0)) {
            return null;
        }
        BufferTrack track = new BufferTrack(
                buffer.toString(),
                tag,
                site(null),
                clone,
                settings.touchRecords(),
                full(),
                settings.nanoClock().getAsLong());
        live.add(track);
        trackedByTag.computeIfAbsent(tag, _ -> new LongAdder()).increment();
        if (clone) {
            watch(track);
        }
        if (full()) {
            track.log(event("Allocated", null, track.allocation()));
        }
        NblEvents.allocated(track);
        return track;
    }

    /**
     * How many buffers of each tag the verifier has tracked with sites since it started, freed or not: next to poolmon's
     * allocation counts, it shows how much of the traffic the verifier saw (all of it at {@link VerifierLevel#FULL}).
     */
    public Map<PoolTag, Long> trackedByTag() {
        Map<PoolTag, Long> counts = new TreeMap<>();
        trackedByTag.forEach((tag, count) -> counts.put(tag, count.sum()));
        return counts;
    }

    /** Records that a tracked buffer was freed: it leaves the live set and keeps the free site for a second free. */
    public void freed(BufferTrack track) {
        Site site = site(null);
        track.freed(site, settings.nanoClock().getAsLong());
        live.remove(track);
        if (track.isClone()) {
            liveClones.remove(track);
        }
        if (full()) {
            track.log(event("Freed", null, site));
        }
        NblEvents.freed(track, site);
    }

    /** Records a touch (kept in the bounded trail; every touch at FULL, hand-offs only at STANDARD). */
    public void touched(BufferTrack track, @Nullable String hint) {
        Site site = site(hint);
        track.touched(site);
        if (full()) {
            track.log(event(hint != null ? hint : "Touched", null, site));
        }
    }

    /**
     * Records that a tracked buffer changed hands. At {@link VerifierLevel#STANDARD} the site goes into the touch trail
     * only as {@link BufferTrack#takesAnotherTouch()} allows: a receive buffer that was sampled changes hands for every
     * packet it carries, and walking the stack each time made the sampled path hundreds of times slower.
     */
    public void handedOff(BufferTrack track, OwnerState state, @Nullable Object holder) {
        OwnerState from = track.state();
        Object previousHolder = track.holder();
        long previousSince = track.sinceNanos();
        long now = settings.nanoClock().getAsLong();
        track.handedOff(state, holder, now);
        Site site = null;
        if (full() || track.takesAnotherTouch()) {
            site = site(null);
            track.touched(site);
            if (full()) {
                track.log(event(eventName(state), holder == null ? null : holder.toString(), site));
            }
        }
        NblEvents.handedOff(this, track, from, previousHolder, previousSince, state, holder, now, site);
    }

    /**
     * Breaks a rule: the one way every layer reports one. The violation is recorded in {@link #violations()} and
     * emitted as an {@code nbl4j.NblViolation} event at every level, then the rule's {@link RuleKind} decides: an
     * {@link RuleKind#ARGUMENT} error is thrown whatever the policy; a {@link RuleKind#STATE} error is thrown, logged
     * or only kept as {@link VerifierSettings#policy()} says, after which the caller must refuse the illegal
     * operation; a {@link RuleKind#SHUTDOWN} one is never thrown, and logged unless the policy is
     * {@link ViolationPolicy#COLLECT}.
     *
     * @param buffer the tracked buffer involved, whose sites the report names, or {@code null}
     * @param bugcheckParameter2 the second bugcheck parameter, where the rule has a bugcheck
     * @throws RuleViolation for an argument error, and for a state error under {@link ViolationPolicy#THROW}
     */
    public void report(Rule rule, String detail, @Nullable BufferTrack buffer, long bugcheckParameter2) {
        record(rule, detail, buffer, bugcheckParameter2, true, null);
    }

    /**
     * {@link #report}, naming {@code site} instead of the caller's: for a rule broken by what a driver did earlier and
     * found only after its routine returned (an IRP left pending without a cancel routine is found when the dispatch
     * routine returns, and the driver's line is where it marked the IRP pending).
     */
    public void report(Rule rule, String detail, Site site) {
        record(rule, detail, null, 0, true, site);
    }

    /** Captures the caller's site now, for a later {@link #report(Rule, String, Site)}; {@code null} when off. */
    public @Nullable Site siteForLater() {
        return enabled ? site(null) : null;
    }

    /**
     * {@link #report}, where {@code callerWaiting} says whether the code that broke the rule is on the stack to be
     * thrown at. It is not when the held-clone watchdog's timer finds a late clone: under {@link ViolationPolicy#THROW}
     * that violation is printed to standard error instead, as the JVM prints an exception nobody caught on a thread,
     * in the report's own format with no logging header in front of it. Either way {@link Violation#thrown()} says
     * which happened.
     */
    private void record(
            Rule rule,
            String detail,
            @Nullable BufferTrack buffer,
            long bugcheckParameter2,
            boolean callerWaiting,
            @Nullable Site where) {
        boolean throwing = callerWaiting
                && switch (rule.kind()) {
                    case ARGUMENT -> true;
                    case STATE -> settings.policy() == ViolationPolicy.THROW;
                    case SHUTDOWN -> false;
                };
        Violation violation = new Violation(
                rule, rule.bugcheck(bugcheckParameter2), detail, where != null ? where : site(null), buffer, throwing);
        violations.add(violation);
        NblEvents.violated(violation);
        if (throwing) {
            throw new RuleViolation(violation);
        }
        switch (settings.policy()) {
            // Under THROW only a shutdown note, or a finding with nobody to throw at, gets here.
            case THROW -> {
                if (callerWaiting) {
                    LOG.log(Logger.Level.WARNING, violation.describe());
                } else {
                    System.err.print(violation.describe());
                }
            }
            case LOG -> LOG.log(Logger.Level.WARNING, violation.describe());
            // COLLECT keeps violations for the caller's own report (the cli's verdict, a demo, the JUnit
            // extension): a log record would put a logging framework's header in front of it.
            case COLLECT -> {}
        }
    }

    /**
     * Reports an argument error ({@link #report}, which throws it). Declared to return the exception so that the
     * caller writes {@code throw verifier.rejected(...)} and its path visibly ends there.
     *
     * @throws RuleViolation always, for an {@link RuleKind#ARGUMENT} rule
     * @throws IllegalArgumentException for a rule of another kind, which must be reported and the call refused
     */
    public RuleViolation rejected(Rule rule, String detail) {
        report(rule, detail, null, 0);
        throw new IllegalArgumentException(rule.name() + " is a " + rule.kind() + " rule: report it, refuse the call");
    }

    /**
     * An argument error that belongs to no NDIS instance: a bad {@code KeRaiseIrql} or {@code KeLowerIrql}, since a
     * thread's IRQL is no one instance's. Like every argument error it is emitted as an {@code nbl4j.NblViolation} event
     * and thrown at the caller, who sees it; unlike one it is kept by no verifier, as no instance's
     * {@link #violations()} could list it, and a list of the process would grow with every bad call for the life of
     * the JVM. Its sites name frames as the default settings do.
     */
    static RuleViolation unowned(Rule rule, String detail) {
        if (rule.kind() != RuleKind.ARGUMENT) {
            throw new IllegalArgumentException(rule.name() + " is a " + rule.kind() + " rule: report it to a verifier");
        }
        Violation violation = new Violation(rule, rule.bugcheck(0), detail, Site.capture(UNOWNED, null), null, true);
        NblEvents.violated(violation);
        return new RuleViolation(violation);
    }

    /** The settings an {@link #unowned} violation's site is captured with. */
    private static final VerifierSettings UNOWNED = VerifierSettings.off();

    /** Every violation reported so far, whatever the policy. */
    public List<Violation> violations() {
        return List.copyOf(violations);
    }

    /**
     * Checks an IRQL rule NDIS itself keeps when it calls a driver's handler (e.g. {@code FilterAttach} runs at
     * PASSIVE_LEVEL): a broken one is a bug of the stack, not of the driver.
     *
     * @return whether the call may go on
     */
    public boolean irqlAtMost(Irql highest, String ddi) {
        if (irqlAllows(highest)) {
            return true;
        }
        report(
                BufferRule.IRQL_TOO_HIGH,
                ddi + " runs at " + highest + " or below, called at " + Irql.current(),
                null,
                0);
        return false;
    }

    /**
     * Checks a DDI's documented IRQL rule against the caller's emulated IRQL ({@code Irql_NetBuffer_Function},
     * {@code Irql_Filter_Driver_Function} and the IRQL line of each WFP function's page). The violation cites the
     * rule and where Microsoft documents it, {@code learn.microsoft.com/windows-hardware/drivers/ddi/<header>/
     * nf-<header>-<ddi>}; docs/verifier.md lists the rule of every DDI of the {@code ddk} facade.
     *
     * @param highest the highest IRQL the DDI allows: PASSIVE_LEVEL for "IRQL == PASSIVE_LEVEL"
     * @param header the header whose documentation page states the rule: {@code nblapi}, {@code ndis}, {@code fwpsk}
     * @return whether the call may go on
     */
    public boolean irqlAtMost(Irql highest, String ddi, String header) {
        if (irqlAllows(highest)) {
            return true;
        }
        report(
                BufferRule.IRQL_TOO_HIGH,
                ddi + " requires IRQL " + (highest == Irql.PASSIVE_LEVEL ? "== " : "<= ") + highest + " ("
                        + documentation(header, ddi) + "), called at " + Irql.current(),
                null,
                0);
        return false;
    }

    /** Whether the verifier is off or the caller is at {@code highest} or below; the level is read only when on. */
    private boolean irqlAllows(Irql highest) {
        return !enabled || Irql.current().compareTo(highest) <= 0;
    }

    /** The page of Microsoft's DDI reference for a function declared in {@code header}. */
    static String documentation(String header, String ddi) {
        return "https://learn.microsoft.com/windows-hardware/drivers/ddi/" + header + "/nf-" + header + "-"
                + ddi.toLowerCase(Locale.ROOT);
    }

    /**
     * Checks a {@code *_DISPATCH_LEVEL} flag: it may be set only when the caller is at DISPATCH_LEVEL (SDV's
     * {@code Flags_Irql}; ndis-buffers §6.2). Clearing it at DISPATCH is allowed: it is the safe answer.
     *
     * @param flag the flag's C name, for the report, e.g. {@code NDIS_SEND_FLAGS_DISPATCH_LEVEL}
     * @return whether the call may go on
     */
    public boolean dispatchFlagHonest(boolean dispatchFlagSet, String ddi, String flag) {
        if (!enabled || !dispatchFlagSet || Irql.current() == Irql.DISPATCH_LEVEL) {
            return true;
        }
        report(
                BufferRule.IRQL_DISPATCH_FLAG_LIES,
                ddi + " was passed " + flag + ", which says the caller is at DISPATCH_LEVEL, but the caller is at "
                        + Irql.current() + " (" + DISPATCH_IRQL_TRACKING + ")",
                null,
                0);
        return false;
    }

    /** Where Microsoft states the contract of the {@code *_DISPATCH_LEVEL} flags. */
    private static final String DISPATCH_IRQL_TRACKING =
            "https://learn.microsoft.com/windows-hardware/drivers/network/dispatch-irql-tracking";

    /**
     * The tracked buffers still allocated, by tag and by allocation site. Each one is also recorded as an
     * {@code nbl4j.NblLeak} Flight Recorder event.
     */
    public LeakReport leaks() {
        return outstanding(null, "Verifier.leaks()");
    }

    /** Like {@link #leaks()}, naming {@code occasion} in the leak events (e.g. {@code NDIS shutdown}). */
    public LeakReport leaks(String occasion) {
        return outstanding(null, occasion);
    }

    /**
     * The tracked buffers of one tag still allocated: what a pool's close reports when it finds elements
     * outstanding. Each one is also recorded as an {@code nbl4j.NblLeak} Flight Recorder event.
     *
     * @param occasion what is looking, for the events: e.g. {@code NdisFreeNetBufferListPool NblP}
     */
    public LeakReport leaks(PoolTag tag, String occasion) {
        return outstanding(tag, occasion);
    }

    private LeakReport outstanding(@Nullable PoolTag tag, String occasion) {
        List<BufferTrack> outstanding = new ArrayList<>();
        for (BufferTrack track : live) {
            if (tag == null || track.tag().equals(tag)) {
                outstanding.add(track);
            }
        }
        outstanding.sort(Comparator.comparingLong(BufferTrack::sinceNanos));
        if (!outstanding.isEmpty() && NblEvents.leakRecorded()) {
            long now = settings.nanoClock().getAsLong();
            for (BufferTrack track : outstanding) {
                NblEvents.leaked(
                        new PendingBuffer(
                                track, track.state(), track.holder(), Duration.ofNanos(now - track.sinceNanos())),
                        occasion);
            }
        }
        return new LeakReport(outstanding);
    }

    /** The tracked buffers that are outstanding, who holds them and since when: {@code !ndiskd.pendingnbls}. */
    public List<PendingBuffer> pending() {
        long now = settings.nanoClock().getAsLong();
        List<PendingBuffer> pending = new ArrayList<>();
        for (BufferTrack track : live) {
            pending.add(new PendingBuffer(
                    track, track.state(), track.holder(), Duration.ofNanos(now - track.sinceNanos())));
        }
        pending.sort(Comparator.comparing(PendingBuffer::held).reversed());
        return pending;
    }

    /**
     * Makes the held-clone watchdog watch a tracked buffer that became a clone after it was allocated: WFP's deep clone
     * (seed 000) takes an ordinary NBL from a pool and fills it with a copy of its parent.
     */
    public void watchAsClone(BufferTrack track) {
        track.markClone();
        watch(track);
    }

    private void watch(BufferTrack clone) {
        liveClones.add(clone);
        if (!watchdogSettled) {
            startWatchdog();
        }
    }

    /** Starts the watchdog timer the first time a clone is tracked (most verifiers never see one). */
    private synchronized void startWatchdog() {
        if (watchdogSettled) {
            return;
        }
        watchdogSettled = true;
        Duration period = settings.heldCloneCheckPeriod();
        if (!period.isZero()) {
            watchdog = HeldCloneWatchdog.watch(this, period);
        }
    }

    /**
     * Stops the held-clone watchdog's timer for good; {@link org.nbl4j.core.buffer.Ndis#close()} calls it. Explicit
     * {@link #checkHeldClones()} still works.
     */
    public synchronized void close() {
        watchdogSettled = true;
        ScheduledFuture<?> timer = watchdog;
        if (timer != null) {
            timer.cancel(false);
            watchdog = null;
        }
    }

    /**
     * The held-clone watchdog's look, as its timer takes it every {@link VerifierSettings#heldCloneCheckPeriod()}:
     * reports as {@link BufferRule#CLONE_HELD_TOO_LONG} every tracked clone whose current holder has had it longer than
     * {@link VerifierSettings#heldCloneBudget()}, with its allocation site and holder. Each holding is reported once,
     * by whichever look finds it first; a hand-off starts a new holding. Under {@link ViolationPolicy#THROW} every late
     * clone is reported and the first violation is thrown; the caller can be thrown only one, so the others are
     * reported as the timer reports its findings, with nobody to throw at.
     *
     * @return the clones this look reported
     */
    public List<PendingBuffer> checkHeldClones() {
        List<PendingBuffer> late = lateClones();
        RuleViolation first = null;
        for (PendingBuffer pending : late) {
            try {
                reportHeld(pending, first == null);
            } catch (RuleViolation thrown) {
                first = thrown;
            }
        }
        if (first != null) {
            throw first;
        }
        return late;
    }

    /**
     * The timer's look: like {@link #checkHeldClones()}, but nobody called, so there is nobody to throw at: each
     * violation is kept in {@link #violations()}, not {@link Violation#thrown() thrown}, and under
     * {@link ViolationPolicy#THROW} its report is printed to standard error.
     */
    void watchHeldClones() {
        for (PendingBuffer pending : lateClones()) {
            reportHeld(pending, false);
        }
    }

    private List<PendingBuffer> lateClones() {
        long now = settings.nanoClock().getAsLong();
        Duration budget = settings.heldCloneBudget();
        List<PendingBuffer> late = new ArrayList<>();
        for (BufferTrack clone : liveClones) {
            PendingBuffer pending = clone.lateHolding(now, budget);
            if (pending != null) {
                late.add(pending);
            }
        }
        late.sort(Comparator.comparing(PendingBuffer::held).reversed());
        return late;
    }

    private void reportHeld(PendingBuffer pending, boolean callerWaiting) {
        record(
                BufferRule.CLONE_HELD_TOO_LONG,
                pending.buffer().description() + " held by "
                        + (pending.holder() == null ? "its allocator" : pending.holder()) + " for "
                        + pending.held().toMillis() + " ms (budget "
                        + settings.heldCloneBudget().toMillis() + " ms)",
                pending.buffer(),
                0,
                callerWaiting,
                null);
    }

    /** The calling code's site, its frames chosen by the settings' {@link FrameClassifier}. */
    Site site(@Nullable String hint) {
        return Site.capture(settings, hint);
    }

    private BufferEvent event(String event, @Nullable String detail, Site site) {
        return new BufferEvent(
                settings.nanoClock().getAsLong(),
                event,
                Thread.currentThread().getName(),
                Irql.current(),
                detail,
                site);
    }

    private static String eventName(OwnerState state) {
        return switch (state) {
            case FREE -> "Freed";
            case OWNED -> "Returned";
            case SENT -> "Sent";
            case INDICATED -> "Indicated";
            case INJECTED -> "Injected";
        };
    }
}
