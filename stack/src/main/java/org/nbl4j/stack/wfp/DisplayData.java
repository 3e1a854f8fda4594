package org.nbl4j.stack.wfp;

import org.jspecify.annotations.Nullable;

/**
 * {@code FWPM_DISPLAY_DATA0}: the name and description of a management object, which enumerations and
 * {@code nbl4j wfp filters} show.
 *
 * @param name the name, {@code null} when the client gave none
 * @param description the description, or {@code null}
 */
public record DisplayData(@Nullable String name, @Nullable String description) {
    /** No name and no description. */
    public static final DisplayData NONE = new DisplayData(null, null);
}
