package org.nbl4j.stack.wfp;

import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.verify.Site;

/**
 * A management object a session added to the base filtering engine: an {@code FWPM_PROVIDER0},
 * {@code FWPM_SUBLAYER0}, {@code FWPM_CALLOUT0} or {@code FWPM_FILTER0} as the engine remembers it, with who added it
 * and from where. The run-time part of a sublayer or filter is the engine's {@link Sublayer} or {@link Filter}.
 *
 * @param kind which of the four it is
 * @param key its GUID
 * @param id the run-time id of a callout or filter; 0 for the others
 * @param layer a callout's {@code applicableLayer} or a filter's layer; {@code null} for the others
 * @param displayData its name and description
 * @param providerKey the provider it belongs to, or {@code null}
 * @param flags the {@code FWPM_*_FLAG_*} it was added with
 * @param session the session that added it
 * @param addedAt the driver's line that added it
 */
public record FwpmObject(
        Kind kind,
        UUID key,
        long id,
        @Nullable Layer layer,
        DisplayData displayData,
        @Nullable UUID providerKey,
        int flags,
        EngineSession session,
        Site addedAt) {

    /** The four kinds of management object nbl4j keeps. */
    public enum Kind {
        PROVIDER,
        SUBLAYER,
        CALLOUT,
        FILTER
    }

    /** For reports: the kind, name and key, e.g. {@code filter "forward" 6e0...}. */
    public String describe() {
        String name = displayData.name();
        return kind.name().toLowerCase(Locale.ROOT) + (name == null ? "" : " \"" + name + "\"") + " " + key;
    }
}
