package org.nbl4j.stack.ip;

import static org.nbl4j.stack.ip.InternetChecksum.U16;
import static org.nbl4j.stack.ip.InternetChecksum.U32;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The IPv4 header (RFC 791 §3.1) read and written in place over a {@link MemorySegment} that starts at the header.
 * Every method is a field access: nothing is allocated and nothing is checked beyond what the segment's bounds check.
 */
public final class Ipv4Header {
    /** The header without options. */
    public static final int MINIMUM_LENGTH = 20;
    /** IHL 15. */
    public static final int MAXIMUM_LENGTH = 60;
    /** The Don't Fragment bit of the flags/fragment-offset word. */
    public static final int FLAG_DONT_FRAGMENT = 0x4000;
    /** The More Fragments bit. */
    public static final int FLAG_MORE_FRAGMENTS = 0x2000;
    /** The fragment offset, in 8-byte units. */
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    static final int TOTAL_LENGTH = 2;
    static final int IDENTIFICATION = 4;
    static final int FRAGMENT = 6;
    static final int TTL = 8;
    static final int PROTOCOL = 9;
    static final int CHECKSUM = 10;
    static final int SOURCE = 12;
    static final int DESTINATION = 16;

    private Ipv4Header() {}

    public static int version(MemorySegment header) {
        return Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, 0)) >>> 4;
    }

    /** The header length in bytes (IHL × 4). */
    public static int headerLength(MemorySegment header) {
        return (header.get(ValueLayout.JAVA_BYTE, 0) & 0x0F) * 4;
    }

    public static int totalLength(MemorySegment header) {
        return Short.toUnsignedInt(header.get(U16, TOTAL_LENGTH));
    }

    public static void setTotalLength(MemorySegment header, int totalLength) {
        header.set(U16, TOTAL_LENGTH, (short) totalLength);
    }

    public static int identification(MemorySegment header) {
        return Short.toUnsignedInt(header.get(U16, IDENTIFICATION));
    }

    /** The flags and fragment offset word: {@link #FLAG_DONT_FRAGMENT}, {@link #FLAG_MORE_FRAGMENTS}, offset/8. */
    public static int fragmentWord(MemorySegment header) {
        return Short.toUnsignedInt(header.get(U16, FRAGMENT));
    }

    public static void setFragmentWord(MemorySegment header, int word) {
        header.set(U16, FRAGMENT, (short) word);
    }

    /** The fragment offset in bytes. */
    public static int fragmentOffset(MemorySegment header) {
        return (fragmentWord(header) & FRAGMENT_OFFSET_MASK) * 8;
    }

    public static boolean moreFragments(MemorySegment header) {
        return (fragmentWord(header) & FLAG_MORE_FRAGMENTS) != 0;
    }

    public static boolean dontFragment(MemorySegment header) {
        return (fragmentWord(header) & FLAG_DONT_FRAGMENT) != 0;
    }

    /** Whether the header describes a fragment: MF set or a non-zero offset. */
    public static boolean isFragment(MemorySegment header) {
        return (fragmentWord(header) & (FLAG_MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0;
    }

    public static int ttl(MemorySegment header) {
        return Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, TTL));
    }

    public static int protocol(MemorySegment header) {
        return Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, PROTOCOL));
    }

    public static int checksum(MemorySegment header) {
        return Short.toUnsignedInt(header.get(U16, CHECKSUM));
    }

    public static void setChecksum(MemorySegment header, int checksum) {
        header.set(U16, CHECKSUM, (short) checksum);
    }

    /** The source address as an unsigned 32-bit value in an int. */
    public static int source(MemorySegment header) {
        return header.get(U32, SOURCE);
    }

    public static int destination(MemorySegment header) {
        return header.get(U32, DESTINATION);
    }

    /** Whether the header checksum over {@code headerLength} bytes is correct. */
    public static boolean checksumValid(MemorySegment header, int headerLength) {
        return InternetChecksum.compute(header, 0, headerLength) == 0;
    }

    /** Computes and stores the header checksum over {@code headerLength} bytes. */
    public static void updateChecksum(MemorySegment header, int headerLength) {
        setChecksum(header, 0);
        setChecksum(header, InternetChecksum.compute(header, 0, headerLength));
    }

    /**
     * Decrements the TTL by one and patches the checksum incrementally (RFC 1624, RFC 1812 §5.3.1): TTL and protocol
     * share one 16-bit word, so only that word changes.
     */
    public static void decrementTtl(MemorySegment header) {
        int oldWord = Short.toUnsignedInt(header.get(U16, TTL));
        int newWord = oldWord - 0x0100;
        header.set(U16, TTL, (short) newWord);
        setChecksum(header, InternetChecksum.update(checksum(header), oldWord, newWord));
    }

    /**
     * Writes a 20-byte header without options: version 4, IHL 5, TOS 0, the given lengths and fields, and its
     * checksum. Addresses are unsigned 32-bit values.
     */
    public static void write(
            MemorySegment header,
            int totalLength,
            int identification,
            int fragmentWord,
            int ttl,
            int protocol,
            int source,
            int destination) {
        header.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
        header.set(ValueLayout.JAVA_BYTE, 1, (byte) 0);
        setTotalLength(header, totalLength);
        header.set(U16, IDENTIFICATION, (short) identification);
        setFragmentWord(header, fragmentWord);
        header.set(ValueLayout.JAVA_BYTE, TTL, (byte) ttl);
        header.set(ValueLayout.JAVA_BYTE, PROTOCOL, (byte) protocol);
        header.set(U32, SOURCE, source);
        header.set(U32, DESTINATION, destination);
        updateChecksum(header, MINIMUM_LENGTH);
    }

    /** No problem found by {@link #optionProblem}. */
    public static final int OPTIONS_VALID = -1;

    static final int OPTION_END_OF_LIST = 0;
    static final int OPTION_NO_OPERATION = 1;
    static final int OPTION_RECORD_ROUTE = 7;
    static final int OPTION_TIMESTAMP = 0x44;
    static final int OPTION_LOOSE_SOURCE_ROUTE = 0x83;
    static final int OPTION_STRICT_SOURCE_ROUTE = 0x89;

    /**
     * Checks the options area (RFC 791 §3.1): End of Option List (0) ends it, No Operation (1) is one byte, every
     * other option has a length byte of at least 2 that keeps it inside the header. The route options (Record Route,
     * loose and strict source route) need a length of at least 3 and a pointer of at least 4, Timestamp a length of
     * at least 4 and a pointer of at least 5 (the pointers count from 1 at the option's type). Options the layer does
     * not know are skipped (RFC 1122 §3.2.1.8).
     *
     * @return the offset of the octet in error, the Parameter Problem pointer (RFC 1812 §4.3.3.5: the option's type
     *     when its length is wrong, else the field in error), or {@link #OPTIONS_VALID}
     */
    public static int optionProblem(MemorySegment header, int headerLength) {
        int at = MINIMUM_LENGTH;
        while (at < headerLength) {
            int type = Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, at));
            if (type == OPTION_END_OF_LIST) {
                return OPTIONS_VALID;
            }
            if (type == OPTION_NO_OPERATION) {
                at++;
                continue;
            }
            if (at + 1 >= headerLength) {
                return at;
            }
            int length = Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, at + 1));
            if (length < 2 || at + length > headerLength) {
                return at;
            }
            int minimumPointer = switch (type) {
                case OPTION_RECORD_ROUTE, OPTION_LOOSE_SOURCE_ROUTE, OPTION_STRICT_SOURCE_ROUTE -> 4;
                case OPTION_TIMESTAMP -> 5;
                default -> 0;
            };
            if (minimumPointer > 0) {
                if (length < minimumPointer - 1) {
                    return at + 1;
                }
                if (Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, at + 2)) < minimumPointer) {
                    return at + 2;
                }
            }
            at += length;
        }
        return OPTIONS_VALID;
    }

    /**
     * Prepares a copy of the header for a fragment other than the first (RFC 791 §3.2): options whose copied flag
     * (bit 7 of the type) is clear are replaced by No Operation bytes, so every fragment header keeps the same length.
     * Assumes {@link #optionProblem} found none.
     */
    public static void blankUncopiedOptions(MemorySegment header, int headerLength) {
        int at = MINIMUM_LENGTH;
        while (at < headerLength) {
            int type = Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, at));
            if (type == 0) {
                return;
            }
            if (type == 1) {
                at++;
                continue;
            }
            int length = Byte.toUnsignedInt(header.get(ValueLayout.JAVA_BYTE, at + 1));
            if ((type & 0x80) == 0) {
                header.asSlice(at, length).fill((byte) 1);
            }
            at += length;
        }
    }
}
