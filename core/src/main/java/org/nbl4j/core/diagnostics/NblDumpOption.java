package org.nbl4j.core.diagnostics;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The switches of {@code !ndiskd.nbl} that {@link NblDump#dump(org.nbl4j.core.buffer.NetBufferList, Set)} understands
 * (§2.2). Without switches the dump is the default (basic) view.
 *
 * <p>ndiskd's {@code -netmon}, {@code -capfile}, {@code -log}, {@code -stacks} and {@code -NblCurrentOwner} need a
 * capture tool or the NBL tracker and have no counterpart; {@link #PARENTS} is nbl4j's own.
 */
public enum NblDumpOption {
    /** {@code -chain}: every NBL of the chain, each with its NBs, instead of the basic view of one NBL. */
    CHAIN("-chain"),
    /** {@code -info}: the non-zero out-of-band information slots. */
    INFO("-info"),
    /** {@code -data}: each NB ({@code !ndiskd.nb}), its MDL chain and a hex dump of its used data. */
    DATA("-data"),
    /** {@code -parents} (nbl4j only): the NBL's ancestry through {@code ParentNetBufferList}, with ChildRefCounts. */
    PARENTS("-parents");

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
     * @throws IllegalArgumentException for a switch that is not one of {@code -chain -info -data -parents}
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
            if (option.switchName.equals(word.toLowerCase(Locale.ROOT))) {
                return option;
            }
        }
        throw new IllegalArgumentException("unknown !ndiskd.nbl switch: " + word + " (-chain, -info, -data, -parents)");
    }
}
