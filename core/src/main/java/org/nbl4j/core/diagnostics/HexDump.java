package org.nbl4j.core.diagnostics;

/**
 * Formats bytes as WinDbg's {@code db} command does: per line an offset, 16 bytes in hex with a {@code -} between
 * the eighth and ninth, and the same bytes as ASCII ({@code .} for anything unprintable).
 *
 * <pre>
 * 00000000  45 00 00 1c 00 01 00 00-40 11 f9 cf c0 a8 00 01  E.......@.......
 * </pre>
 *
 * The offset counts from the first byte dumped (the NB's first used byte), not from an address. Trailing spaces
 * are dropped from each line (a space at the end of the ASCII column shows only in the hex).
 */
final class HexDump {
    private HexDump() {}

    /** Appends the lines for {@code bytes}, each starting with {@code indent} and ending with a newline. */
    static void append(StringBuilder out, String indent, byte[] bytes) {
        for (int line = 0; line < bytes.length; line += 16) {
            int lineStart = out.length();
            out.append(indent).append("%08x ".formatted(line));
            int end = Math.min(line + 16, bytes.length);
            for (int i = line; i < line + 16; i++) {
                out.append(i == line + 8 && i < end ? '-' : ' ');
                out.append(i < end ? "%02x".formatted(bytes[i] & 0xFF) : "  ");
            }
            out.append("  ");
            for (int i = line; i < end; i++) {
                int c = bytes[i] & 0xFF;
                out.append(c >= 0x20 && c < 0x7F ? (char) c : '.');
            }
            int length = out.length();
            while (length > lineStart && out.charAt(length - 1) == ' ') {
                length--;
            }
            out.setLength(length);
            out.append('\n');
        }
    }
}
