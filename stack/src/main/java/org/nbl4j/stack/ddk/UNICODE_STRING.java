package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/** {@code UNICODE_STRING}: an object name, set with {@code RtlInitUnicodeString}; a Java string holds the text. */
public final class UNICODE_STRING {
    /** The text ({@code Buffer} of {@code Length} bytes in C). */
    public @Nullable String Buffer;
}
