package org.nbl4j.core.verify;

/**
 * Interrupt request levels, and the calling thread's emulated current level.
 *
 * <p>Corresponds to {@code KIRQL} with {@code KeGetCurrentIrql}, {@code KeRaiseIrql} and {@code KeLowerIrql}. A
 * thread starts at {@link #PASSIVE_LEVEL}; threads that play a processor's DPC (receive queues) run at
 * {@link #DISPATCH_LEVEL}. The level is per thread, as it is per processor on Windows.
 *
 * <p>nbl4j runs no interrupt service routines, so of the levels above DISPATCH_LEVEL it has only {@link #HIGH_LEVEL},
 * which a driver reaches with {@code KeRaiseIrql(HIGH_LEVEL, &old)}: it is what makes a DDI's documented
 * {@code IRQL <= DISPATCH_LEVEL} a rule a caller can break, and the verifier can catch.
 */
public enum Irql {
    PASSIVE_LEVEL(0),
    APC_LEVEL(1),
    DISPATCH_LEVEL(2),
    /** {@code HIGH_LEVEL} (15 on x64): above every device IRQL, where no DDI of NDIS or WFP may be called. */
    HIGH_LEVEL(15);

    private static final ThreadLocal<Irql> CURRENT = ThreadLocal.withInitial(() -> PASSIVE_LEVEL);

    private final int level;

    Irql(int level) {
        this.level = level;
    }

    /** The numeric level of {@code wdm.h} on x64 (0, 1, 2, 15). */
    public int level() {
        return level;
    }

    /** {@code KeGetCurrentIrql}. */
    public static Irql current() {
        return CURRENT.get();
    }

    /**
     * {@code KeRaiseIrql}: sets the level and returns the previous one, which {@link #lower} must restore.
     *
     * @throws RuleViolation if {@code level} is below the current level
     */
    public static Irql raise(Irql level) {
        Irql previous = CURRENT.get();
        if (level.compareTo(previous) < 0) {
            throw Verifier.unowned(BufferRule.IRQL_BAD_RAISE_OR_LOWER, "KeRaiseIrql to " + level + " from " + previous);
        }
        CURRENT.set(level);
        return previous;
    }

    /**
     * {@code KeLowerIrql}: restores a level saved by {@link #raise}.
     *
     * @throws RuleViolation if {@code level} is above the current level
     */
    public static void lower(Irql level) {
        Irql current = CURRENT.get();
        if (level.compareTo(current) > 0) {
            throw Verifier.unowned(BufferRule.IRQL_BAD_RAISE_OR_LOWER, "KeLowerIrql to " + level + " from " + current);
        }
        CURRENT.set(level);
    }

    /** Runs {@code work} at {@code level} and restores the previous level, even if {@code work} throws. */
    public static void runAt(Irql level, Runnable work) {
        Irql previous = CURRENT.get();
        CURRENT.set(level);
        try {
            work.run();
        } finally {
            CURRENT.set(previous);
        }
    }
}
