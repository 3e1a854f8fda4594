package org.nbl4j.cli.replay;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small streaming JSON writer for {@link JsonReport}: objects, arrays, strings, numbers and booleans, indented two
 * spaces, strings escaped as RFC 8259 requires. The report is a few kilobytes written once per run, so a library for it
 * would add more to the shipped jar than it saves here.
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    /** Per open object or array, innermost first: whether it has no member yet. */
    private final Deque<Boolean> empty = new ArrayDeque<>();
    /** A member's name was written: its value follows on the same line. */
    private boolean afterName;

    JsonWriter beginObject() {
        return open('{');
    }

    JsonWriter endObject() {
        return close('}');
    }

    JsonWriter beginArray() {
        return open('[');
    }

    JsonWriter endArray() {
        return close(']');
    }

    /** Starts a member of the current object; its value follows. */
    JsonWriter name(String name) {
        beforeMember();
        string(name);
        out.append(": ");
        afterName = true;
        return this;
    }

    JsonWriter value(String value) {
        beforeValue();
        string(value);
        return this;
    }

    JsonWriter value(long value) {
        beforeValue();
        out.append(value);
        return this;
    }

    JsonWriter value(boolean value) {
        beforeValue();
        out.append(value);
        return this;
    }

    /** The document, ending with a newline. */
    @Override
    public String toString() {
        return out + "\n";
    }

    private JsonWriter open(char bracket) {
        beforeValue();
        out.append(bracket);
        empty.push(true);
        return this;
    }

    private JsonWriter close(char bracket) {
        if (!empty.pop()) {
            newline();
        }
        out.append(bracket);
        return this;
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
        } else {
            beforeMember();
        }
    }

    /** A comma after the previous member, then a new line at the container's depth. */
    private void beforeMember() {
        if (empty.isEmpty()) {
            return;
        }
        if (!empty.pop()) {
            out.append(',');
        }
        empty.push(false);
        newline();
    }

    private void newline() {
        out.append('\n').append("  ".repeat(empty.size()));
    }

    private void string(String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
