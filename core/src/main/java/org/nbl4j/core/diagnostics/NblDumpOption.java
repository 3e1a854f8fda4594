package org.nbl4j.core.diagnostics;

import java.util.EnumSet;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The switches of {@code !ndiskd.nbl} that {@link NblDump#dump(org.nbl4j.core.buffer.NetBufferList, Set)} understands
 * (§2.2). Without switches the dump is the default (basic) view.
 *
 * <p>{@link #LOG} and {@link #CURRENT_OWNER} read the NBL's verifier, nbl4j's counterpart of the NBL tracker. ndiskd's
 * {@code -netmon}, {@code -capfile}, {@code -launch}, {@code -overwrite} and {@code -stacks} need a capture tool or stack
 * captures and have no counterpart; {@link #PARENTS} is nbl4j's own.
 */
public enum NblDumpOption {
    /** {@code -chain}: every NBL of the chain, each with its NBs, instead of the basic view of one NBL. */
    CHAIN("-chain"),
    /** {@code -info}: the non-zero out-of-band information slots. */
    INFO("-info"),
    /** {@code -data}: each NB ({@code !ndiskd.nb}), its MDL chain and a hex dump of its used data. */
    DATA("-data"),
    /** {@code -parents} (nbl4j only): the NBL's ancestry through {@code ParentNetBufferList}, with ChildRefCounts. */
    PARENTS("-parents"),
    /** {@code -NblCurrentOwner}: owner state, holder and how long it has held the NBL (needs the verifier on). */
    CURRENT_OWNER("-NblCurrentOwner"),
    /** {@code -log}: the NBL's event log as {@code !ndiskd.nbllog} prints it (needs VerifierLevel.FULL). */
    LOG("-log");

    private final String switchName;

    NblDumpOption(String switchName) {
        this.switchName = switchName;
    }

    /** The command-line switch, such as {@code -info}. */
    public String switchName() {
        return switchName;
    }

    /**
     * The options of a command line such as {@code "-chain -info"}: whitespace-separated switches, case-insensitive,
     * as ndiskd accepts them.
     *
     * @throws IllegalArgumentException for a switch that is not one of {@code -chain -info -data -parents
     *     -NblCurrentOwner -log}
     */
    public static Set<NblDumpOption> parse(String switches) {
        Set<NblDumpOption> options = EnumSet.noneOf(NblDumpOption.class);
        for (String word : switches.trim().split("\\s+")) {
            if (word.isEmpty()) {
                continue;
            }
            options.add(ofSwitch(word));
        }
        return options;
    }

    private static NblDumpOption ofSwitch(String word) {
        for (NblDumpOption option : values()) {
            if (option.switchName.equalsIgnoreCase(word)) {
                return option;
            }
        }
        StringJoiner known = new StringJoiner(", ", " (", ")");
        for (NblDumpOption option : values()) {
            known.add(option.switchName);
        }
        throw new IllegalArgumentException("unknown !ndiskd.nbl switch: " + word + known);
    }
}
