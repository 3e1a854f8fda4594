package org.nbl4j.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PoolTagTest {

    @Test
    @DisplayName("§1: the reversed C literal 'tliF' is the ULONG whose bytes in memory read \"Filt\"")
    void literalIsReversedDisplay() {
        PoolTag fromLiteral = PoolTag.fromLiteral("tliF");
        PoolTag fromDisplay = PoolTag.of("Filt");
        assertEquals(fromDisplay, fromLiteral);
        assertEquals("Filt", fromLiteral.toString());
        // §1: int tag = (c0<<24)|(c1<<16)|(c2<<8)|c3 for the literal 'c0c1c2c3'
        int expected = ('t' << 24) | ('l' << 16) | ('i' << 8) | 'F';
        assertEquals(expected, fromLiteral.value());
        assertEquals(0x746C6946, fromLiteral.value());
    }

    @Test
    @DisplayName("§1: NDIS's default tag 'maDN' displays as NDam")
    void ndisDefaultTag() {
        assertEquals("NDam", PoolTag.fromLiteral("maDN").toString());
        assertEquals(PoolTag.of("NDam"), PoolTag.fromLiteral("maDN"));
    }

    @Test
    void shortNamesArePaddedWithSpaces() {
        PoolTag io = PoolTag.of("Io");
        assertEquals("Io  ", io.toString());
        assertEquals(PoolTag.of("Io  "), io);
        assertEquals(0x2020_6F49, io.value());
    }

    @Test
    void invalidNamesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> PoolTag.of(""));
        assertThrows(IllegalArgumentException.class, () -> PoolTag.of("Toolong"));
        assertThrows(IllegalArgumentException.class, () -> PoolTag.of("Ab\tc"));
        assertThrows(IllegalArgumentException.class, () -> PoolTag.of("Äbc"));
    }

    @Test
    void nonPrintableBytesOfARawValueDisplayAsQuestionMarks() {
        assertEquals("A?B?", new PoolTag(0x0042_0141).toString());
    }

    @Test
    @DisplayName("tags sort by their poolmon spelling, not by ULONG value")
    void sortsByDisplay() {
        PoolTag b = PoolTag.of("Baaa"); // value low byte 'B'
        PoolTag a = PoolTag.of("Aazz"); // larger ULONG than "Baaa" (high bytes 'z'), but displays first
        assertTrue(Integer.compareUnsigned(a.value(), b.value()) > 0);
        List<PoolTag> tags = new ArrayList<>(List.of(b, a));
        tags.sort(null);
        assertEquals(List.of(a, b), tags);
    }
}
