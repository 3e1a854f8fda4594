package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.wfp.DisplayData;

/** {@code FWPM_DISPLAY_DATA0}: a management object's name and description, C {@code wchar_t*} as {@code String}. */
public final class FWPM_DISPLAY_DATA0 {
    /** {@code name}. */
    public @Nullable String name;
    /** {@code description}. */
    public @Nullable String description;

    DisplayData toDisplayData() {
        return new DisplayData(name, description);
    }

    void from(DisplayData displayData) {
        name = displayData.name();
        description = displayData.description();
    }
}
