package org.nbl4j.core.diagnostics;

/**
 * A poolmon tag pattern ({@code /iTag}, {@code /xTag}): {@code *} matches any run of characters, {@code ?} exactly
 * one, and a pattern may not start with {@code *} (§2.1).
 *
 * <p>Tags shorter than four characters are padded with spaces ({@code "Io  "}); trailing spaces are ignored on both
 * sides, so {@code Io} matches the tag {@code Io  }. Matching is case-sensitive, as tags are.
 */
final class TagPattern {
    private final String pattern;

    private TagPattern(String pattern) {
        this.pattern = pattern;
    }

    /**
     * Checks and compiles a pattern.
     *
     * @throws IllegalArgumentException if the pattern is blank, starts with {@code *}, holds a character that is not
     *     printable ASCII, or has more than four characters besides {@code *}
     */
    static TagPattern of(String pattern) {
        String stripped = pattern.stripTrailing();
        if (stripped.isEmpty()) {
            throw new IllegalArgumentException("empty tag pattern");
        }
        if (stripped.charAt(0) == '*') {
            throw new IllegalArgumentException("a tag pattern may not start with '*': '" + pattern + "'");
        }
        int literal = 0;
        for (int i = 0; i < stripped.length(); i++) {
            char c = stripped.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException("a tag pattern is printable ASCII: '" + pattern + "'");
            }
            if (c != '*') {
                literal++;
            }
        }
        if (literal > 4) {
            throw new IllegalArgumentException("a tag has four characters: '" + pattern + "'");
        }
        return new TagPattern(stripped);
    }

    /** Whether the tag, in its poolmon spelling, matches. */
    boolean matches(String tag) {
        return matches(tag.stripTrailing(), 0, 0);
    }

    private boolean matches(String tag, int t, int p) {
        while (p < pattern.length()) {
            char c = pattern.charAt(p);
            if (c == '*') {
                for (int rest = t; rest <= tag.length(); rest++) {
                    if (matches(tag, rest, p + 1)) {
                        return true;
                    }
                }
                return false;
            }
            if (t == tag.length() || (c != '?' && c != tag.charAt(t))) {
                return false;
            }
            t++;
            p++;
        }
        return t == tag.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
