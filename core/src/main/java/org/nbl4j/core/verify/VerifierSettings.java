package org.nbl4j.core.verify;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How a {@link Verifier} works: its level, what it does with a violation, how many buffers it tracks with sites, how
 * many touches it remembers, how long a clone may be held, and the clock it measures holding times with.
 *
 * @param level how much is checked
 * @param policy what a violation does
 * @param samplingInterval at {@link VerifierLevel#STANDARD}, one buffer in this many is tracked with sites
 * @param touchRecords how many recent touch sites a tracked buffer keeps (like Netty's {@code targetRecords})
 * @param heldCloneBudget how long a clone may be held before the watchdog reports it (seed 000: "not for long")
 * @param nanoClock the clock, in nanoseconds; tests inject their own
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
        LongSupplier nanoClock,
        FrameClassifier frames,
        boolean fullTrace) {

    public VerifierSettings {
        if (samplingInterval < 1 || touchRecords < 0) {
            throw new IllegalArgumentException("samplingInterval >= 1 and touchRecords >= 0 are required");
        }
    }

    /**
     * The default: standard level, throw, one buffer in 128 tracked, 4 touches, clones held at most 1 s, sites trimmed
     * to the driver's frames.
     */
    public static VerifierSettings standard() {
        return new VerifierSettings(
                VerifierLevel.STANDARD,
                ViolationPolicy.THROW,
                128,
                4,
                Duration.ofSeconds(1),
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
                newLevel, policy, samplingInterval, touchRecords, heldCloneBudget, nanoClock, frames, fullTrace);
    }

    public VerifierSettings withPolicy(ViolationPolicy newPolicy) {
        return new VerifierSettings(
                level, newPolicy, samplingInterval, touchRecords, heldCloneBudget, nanoClock, frames, fullTrace);
    }

    public VerifierSettings withSamplingInterval(int newInterval) {
        return new VerifierSettings(
                level, policy, newInterval, touchRecords, heldCloneBudget, nanoClock, frames, fullTrace);
    }

    public VerifierSettings withTouchRecords(int newRecords) {
        return new VerifierSettings(
                level, policy, samplingInterval, newRecords, heldCloneBudget, nanoClock, frames, fullTrace);
    }

    public VerifierSettings withHeldCloneBudget(Duration newBudget) {
        return new VerifierSettings(
                level, policy, samplingInterval, touchRecords, newBudget, nanoClock, frames, fullTrace);
    }

    public VerifierSettings withNanoClock(LongSupplier newClock) {
        return new VerifierSettings(
                level, policy, samplingInterval, touchRecords, heldCloneBudget, newClock, frames, fullTrace);
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
                level, policy, samplingInterval, touchRecords, heldCloneBudget, nanoClock, newFrames, fullTrace);
    }

    public VerifierSettings withFullTrace(boolean newFullTrace) {
        return new VerifierSettings(
                level, policy, samplingInterval, touchRecords, heldCloneBudget, nanoClock, frames, newFullTrace);
    }
}
