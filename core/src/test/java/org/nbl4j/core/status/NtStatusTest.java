package org.nbl4j.core.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class NtStatusTest {

    /** Every public int constant of NtStatus, read independently of the class's own tables. */
    private static List<Field> constants() {
        List<Field> fields = new ArrayList<>();
        for (Field f : NtStatus.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (f.getType() == int.class && Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m)) {
                fields.add(f);
            }
        }
        return fields;
    }

    @Test
    void valuesMatchTheSpecTable() {
        assertEquals(0, NtStatus.NDIS_STATUS_SUCCESS);
        assertEquals(0, NtStatus.STATUS_SUCCESS);
        assertEquals(0x103, NtStatus.NDIS_STATUS_PENDING);
        assertEquals(0x103, NtStatus.STATUS_PENDING);
        assertEquals(0xC000009A, NtStatus.NDIS_STATUS_RESOURCES);
        assertEquals(0xC000009A, NtStatus.STATUS_INSUFFICIENT_RESOURCES);
        assertEquals(0xC000000D, NtStatus.NDIS_STATUS_INVALID_PARAMETER);
        assertEquals(0xC000000D, NtStatus.STATUS_INVALID_PARAMETER);
        assertEquals(0xC0010015, NtStatus.NDIS_STATUS_INVALID_DATA);
        assertEquals(0xC023002A, NtStatus.NDIS_STATUS_PAUSED);
        assertEquals(0xC023002A, NtStatus.STATUS_NDIS_PAUSED);
        assertEquals(0xC0000001, NtStatus.NDIS_STATUS_FAILURE);
        assertEquals(0x80000005, NtStatus.NDIS_STATUS_BUFFER_OVERFLOW);
        assertEquals(0x40230001, NtStatus.NDIS_STATUS_INDICATION_REQUIRED);
        assertEquals(0xC0000184, NtStatus.NDIS_STATUS_INVALID_STATE);
        assertEquals(0xC0220101, NtStatus.STATUS_FWP_INJECT_HANDLE_CLOSING);
        assertEquals(0xC0220103, NtStatus.STATUS_FWP_CANNOT_PEND);
        assertEquals(0x80000011, NtStatus.STATUS_DEVICE_BUSY);
        assertEquals(0xC0000225, NtStatus.STATUS_NOT_FOUND);
        assertEquals(0xC000A012, NtStatus.STATUS_HOPLIMIT_EXCEEDED);
    }

    @Test
    void lookAlikesAreDistinct() {
        assertEquals(0xC023000C, NtStatus.NDIS_STATUS_SEND_ABORTED);
        assertEquals(0xC023000C, NtStatus.STATUS_NDIS_REQUEST_ABORTED);
        assertEquals(0xC001000C, NtStatus.NDIS_STATUS_REQUEST_ABORTED);
        assertNotEquals(NtStatus.NDIS_STATUS_SEND_ABORTED, NtStatus.NDIS_STATUS_REQUEST_ABORTED);

        assertEquals(0xC0010014, NtStatus.NDIS_STATUS_INVALID_LENGTH);
        assertEquals(0xC0230014, NtStatus.STATUS_NDIS_INVALID_LENGTH);
        assertEquals(0xC0010016, NtStatus.NDIS_STATUS_BUFFER_TOO_SHORT);
        assertEquals(0xC0230016, NtStatus.STATUS_NDIS_BUFFER_TOO_SHORT);

        assertEquals("NDIS_STATUS_REQUEST_ABORTED", NtStatus.name(0xC001000C));
        assertEquals("STATUS_NDIS_REQUEST_ABORTED", NtStatus.name(0xC023000C));
        assertEquals("NDIS_STATUS_SEND_ABORTED", NtStatus.ndisName(0xC023000C));
        assertEquals("NDIS_STATUS_INVALID_LENGTH", NtStatus.name(0xC0010014));
        assertEquals("STATUS_NDIS_INVALID_LENGTH", NtStatus.name(0xC0230014));
    }

    @Test
    void namePrefersNtStatusAndNdisNamePrefersNdis() {
        assertEquals("STATUS_SUCCESS", NtStatus.name(0));
        assertEquals("NDIS_STATUS_SUCCESS", NtStatus.ndisName(0));
        assertEquals("STATUS_INSUFFICIENT_RESOURCES", NtStatus.name(NtStatus.NDIS_STATUS_RESOURCES));
        assertEquals("NDIS_STATUS_RESOURCES", NtStatus.ndisName(NtStatus.STATUS_INSUFFICIENT_RESOURCES));
        assertEquals("STATUS_NDIS_PAUSED", NtStatus.name(NtStatus.NDIS_STATUS_PAUSED));
        assertEquals("NDIS_STATUS_PAUSED", NtStatus.ndisName(NtStatus.STATUS_NDIS_PAUSED));
        assertEquals("STATUS_PENDING", NtStatus.name(0x103));
        assertEquals("NDIS_STATUS_PENDING", NtStatus.ndisName(0x103));
    }

    @Test
    void singleFamilyValuesFallBackToTheirOnlyName() {
        // NDIS-only: name() has no STATUS_ name to prefer.
        assertEquals("NDIS_STATUS_INVALID_DATA", NtStatus.name(0xC0010015));
        assertEquals("NDIS_STATUS_NOT_RECOGNIZED", NtStatus.name(0x00010001));
        // NTSTATUS-only: ndisName() has no NDIS_STATUS_ name to prefer.
        assertEquals("STATUS_FWP_TCPIP_NOT_READY", NtStatus.ndisName(0xC0220100));
        assertEquals("STATUS_NDIS_INVALID_LENGTH", NtStatus.ndisName(0xC0230014));
        assertEquals("STATUS_NO_MEMORY", NtStatus.ndisName(0xC0000017));
    }

    @Test
    void describe() {
        assertEquals("NDIS_STATUS_RESOURCES (0xC000009A)", NtStatus.describe(0xC000009A));
        assertEquals("NDIS_STATUS_SUCCESS (0x00000000)", NtStatus.describe(0));
        assertEquals("NDIS_STATUS_PENDING (0x00000103)", NtStatus.describe(0x103));
        assertEquals("STATUS_FWP_INJECT_HANDLE_STALE (0xC0220102)", NtStatus.describe(0xC0220102));
        assertEquals("0xC0DE0001", NtStatus.describe(0xC0DE0001));
    }

    @Test
    void unknownValuesAreFormattedAsUnsignedHex() {
        assertEquals("0xC0DE0001", NtStatus.name(0xC0DE0001));
        assertEquals("0xC0DE0001", NtStatus.ndisName(0xC0DE0001));
        assertEquals("0x00000001", NtStatus.name(1));
        assertEquals("0xFFFFFFFF", NtStatus.name(-1));
        assertEquals("0x7FFFFFFF", NtStatus.ndisName(Integer.MAX_VALUE));
        assertEquals("0x80000000", NtStatus.name(Integer.MIN_VALUE));
    }

    @Test
    void isSuccessIsNtSuccess() {
        assertTrue(NtStatus.isSuccess(0));
        assertTrue(NtStatus.isSuccess(0x103), "PENDING is a success code");
        assertTrue(NtStatus.isSuccess(0x40230001), "informational");
        assertFalse(NtStatus.isSuccess(0x80000005), "BUFFER_OVERFLOW is a warning");
        assertFalse(NtStatus.isSuccess(NtStatus.NDIS_STATUS_RESOURCES));
        assertFalse(NtStatus.isSuccess(NtStatus.NDIS_STATUS_FAILURE));
        assertTrue(NtStatus.isSuccess(Integer.MAX_VALUE));
        assertFalse(NtStatus.isSuccess(Integer.MIN_VALUE));
    }

    @Test
    void valueOfAcceptsEveryConstantName() throws IllegalAccessException {
        List<Field> fields = constants();
        assertTrue(fields.size() > 100, "expected the whole table, got " + fields.size());
        for (Field f : fields) {
            int value = f.getInt(null);
            assertEquals(OptionalInt.of(value), NtStatus.valueOf(f.getName()), f.getName());
        }
    }

    @Test
    void everyConstantIsNamedByItsOwnFamily() throws IllegalAccessException {
        for (Field f : constants()) {
            int value = f.getInt(null);
            String preferred = f.getName().startsWith("NDIS_STATUS_") ? NtStatus.ndisName(value) : NtStatus.name(value);
            assertEquals(f.getName(), preferred);
            // Whichever name is returned, it must lead back to the same value.
            assertEquals(OptionalInt.of(value), NtStatus.valueOf(NtStatus.name(value)));
            assertEquals(OptionalInt.of(value), NtStatus.valueOf(NtStatus.ndisName(value)));
        }
    }

    @Test
    void valueOfRejectsUnknownNames() {
        assertEquals(OptionalInt.empty(), NtStatus.valueOf("STATUS_NO_SUCH_THING"));
        assertEquals(OptionalInt.empty(), NtStatus.valueOf("status_success"));
        assertEquals(OptionalInt.empty(), NtStatus.valueOf("0x00000000"));
        assertEquals(OptionalInt.empty(), NtStatus.valueOf(""));
    }
}
