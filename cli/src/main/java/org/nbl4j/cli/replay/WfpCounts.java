package org.nbl4j.cli.replay;

import java.util.EnumMap;
import java.util.Map;
import org.nbl4j.stack.wfp.Layer;

/**
 * What the WFP filter engine saw in a replay.
 *
 * @param indications packets shown at each layer (layers never indicated are absent)
 * @param injections injections the path accepted
 * @param completions injection completion functions that ran (equal to {@code injections} after a clean run)
 */
public record WfpCounts(Map<Layer, Long> indications, long injections, long completions) {
    public WfpCounts {
        indications = indications.isEmpty() ? Map.of() : new EnumMap<>(indications);
    }
}
