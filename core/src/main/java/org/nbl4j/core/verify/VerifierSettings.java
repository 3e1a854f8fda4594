package org.nbl4j.core.verify;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How a {@link Verifier} works: its level, what it does with a violation, how many buffers it tracks with sites, how
 * many touches it remembers, how long a clone may be held and how often the held-clone watchdog looks, the clock it
 * measures holding times with, and which frames of a site are the driver's.
 *
 * @param level how much is checked
 * @param policy what a violation does
 * @param samplingInterval at {@link VerifierLevel#STANDARD}, one buffer in this many is tracked with sites (clones are
 *     always tracked); at {@link VerifierLevel#FULL} it is 1, whatever was asked: full means every buffer
 * @param touchRecords how many recent touch sites a tracked buffer keeps (like Netty's {@code targetRecords})
 * @param heldCloneBudget how long a clone may be held before the watchdog reports it (seed 000: "not for long"), on
 *     {@code nanoClock}
 * @param heldCloneCheckPeriod how often, in real time, the watchdog's daemon timer looks at the tracked clones;
 *     {@link Duration#ZERO} for no timer (then only {@link Verifier#checkHeldClones()} looks)
 * @param nanoClock the clock holding times are measured with, in nanoseconds; tests inject their own
 * @param frames which stack frames are the driver's, so that reports name the driver's line first
 * @param fullTrace whether sites keep the whole stack trace as well (for nbl4j's own debugging; the driver's frames
 *     and the one DDI they called are kept either way)
 */
public record VerifierSettings(
        VerifierLevel level,
        ViolationPolicy policy,
        int samplingInterval,
        int touchRecords,
        Duration heldCloneBudget,
        Duration heldCloneCheckPeriod,
        LongSupplier nanoClock,
        FrameClassifier frames,
        boolean fullTrace) {

    public VerifierSettings {
        if (samplingInterval < 1 || touchRecords < 0) {
            throw new IllegalArgumentException("samplingInterval >= 1 and touchRecords >= 0 are required");
        }
        if (heldCloneBudget.isNegative() || heldCloneCheckPeriod.isNegative()) {
            throw new IllegalArgumentException("heldCloneBudget and heldCloneCheckPeriod must not be negative");
        }
        // The one place the level decides the sampling: FULL reached by withLevel(FULL) from a sampled setting (as a
        // --verifier=full on top of the defaults does) must not keep sampling.
        if (level == VerifierLevel.FULL) {
            samplingInterval = 1;
        }
    }

    /**
     * The default: standard level, throw, one buffer in 128 tracked (and every clone), 4 touches, clones held at most
     * 1 s, looked at every 100 ms, sites trimmed to the driver's frames.
     */
    public static VerifierSettings standard() {
        return new VerifierSettings(
                VerifierLevel.STANDARD,
                ViolationPolicy.THROW,
                128,
                4,
                Duration.ofSeconds(1),
                Duration.ofMillis(100),
                System::nanoTime,
                FrameClassifier.standard(),
                false);
    }

    /** Every buffer tracked with sites and an event log. */
    public static VerifierSettings full() {
        return standard().withLevel(VerifierLevel.FULL).withSamplingInterval(1).withTouchRecords(16);
    }

    /** Only the checks that cost nothing. */
    public static VerifierSettings off() {
        return standard().withLevel(VerifierLevel.OFF);
    }

    public VerifierSettings withLevel(VerifierLevel newLevel) {
        return new VerifierSettings(
                newLevel,
                policy,
                samplingInterval,
                touchRecords,
                heldCloneBudget,
                heldCloneCheckPeriod,
                nanoClock,
                frames,
                fullTrace);
    }

    public VerifierSettings withPolicy(ViolationPolicy newPolicy) {
        return new VerifierSettings(
                level,
                newPolicy,
                samplingInterval,
                touchRecords,
                heldCloneBudget,
                heldCloneCheckPeriod,
                nanoClock,
                frames,
                fullTrace);
    }

    public VerifierSettings withSamplingInterval(int newInterval) {
        return new VerifierSettings(
                level,
                policy,
                newInterval,
                touchRecords,
                heldCloneBudget,
                heldCloneCheckPeriod,
                nanoClock,
                frames,
                fullTrace);
    }

    public VerifierSettings withTouchRecords(int newRecords) {
        return new VerifierSettings(
                level,
                policy,
                samplingInterval,
                newRecords,
                heldCloneBudget,
                heldCloneCheckPeriod,
                nanoClock,
                frames,
                fullTrace);
    }

    public VerifierSettings withHeldCloneBudget(Duration newBudget) {
        return new VerifierSettings(
                level,
                policy,
                samplingInterval,
                touchRecords,
                newBudget,
                heldCloneCheckPeriod,
                nanoClock,
                frames,
                fullTrace);
    }

    /** The watchdog timer's period; {@link Duration#ZERO} turns the timer off. */
    public VerifierSettings withHeldCloneCheckPeriod(Duration newPeriod) {
        return new VerifierSettings(
                level,
                policy,
                samplingInterval,
                touchRecords,
                heldCloneBudget,
                newPeriod,
                nanoClock,
                frames,
                fullTrace);
    }

    public VerifierSettings withNanoClock(LongSupplier newClock) {
        return new VerifierSettings(
                level,
                policy,
                samplingInterval,
                touchRecords,
                heldCloneBudget,
                heldCloneCheckPeriod,
                newClock,
                frames,
                fullTrace);
    }

    /** Adds class-name prefixes whose frames are not the driver's (a driver's own libraries); see {@link FrameClassifier}. */
    public VerifierSettings withInfrastructure(String... prefixes) {
        return withFrames(frames.withInfrastructure(prefixes));
    }

    /**
     * Adds class-name prefixes whose frames are the driver's even inside nbl4j's packages: nbl4j's own tests name their
     * class here to play the driver; see {@link FrameClassifier}.
     */
    public VerifierSettings withDriverCode(String... prefixes) {
        return withFrames(frames.withDriverCode(prefixes));
    }

    public VerifierSettings withFrames(FrameClassifier newFrames) {
        return new VerifierSettings(
                level,
                policy,
                samplingInterval,
                touchRecords,
                heldCloneBudget,
                heldCloneCheckPeriod,
                nanoClock,
                newFrames,
                fullTrace);
    }

    public VerifierSettings withFullTrace(boolean newFullTrace) {
        return new VerifierSettings(
                level,
                policy,
                samplingInterval,
                touchRecords,
                heldCloneBudget,
                heldCloneCheckPeriod,
                nanoClock,
                frames,
                newFullTrace);
    }
}
