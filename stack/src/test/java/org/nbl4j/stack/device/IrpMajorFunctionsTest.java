package org.nbl4j.stack.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.stack.ddk.WdmIo;

/**
 * The {@code IRP_MJ_*} codes a driver indexes its {@code MajorFunction} table with (the facade's literals in
 * {@link WdmIo}) are the ones the I/O manager dispatches IRPs by: a facade code retyped with a wrong value would leave
 * the driver's dispatch routine uncalled.
 */
class IrpMajorFunctionsTest {

    @Test
    @DisplayName("every IRP_MJ_* the I/O manager sends is WdmIo's constant of the same name; the others are not sent")
    void majorFunctionsPinned() throws IllegalAccessException {
        Set<String> dispatched = new TreeSet<>();
        for (Field field : WdmIo.class.getFields()) {
            String name = field.getName();
            if (!name.startsWith("IRP_MJ_") || name.equals("IRP_MJ_MAXIMUM_FUNCTION")) {
                continue;
            }
            String engineName = IoManager.majorName(field.getInt(null));
            if (engineName.equals(name)) {
                dispatched.add(name);
            } else {
                assertTrue(engineName.startsWith("IRP_MJ_0x"), () -> name + " is the I/O manager's " + engineName);
            }
        }
        assertEquals(
                Set.of("IRP_MJ_CLEANUP", "IRP_MJ_CLOSE", "IRP_MJ_CREATE", "IRP_MJ_DEVICE_CONTROL"),
                dispatched,
                "the four the I/O manager sends");
        assertTrue(WdmIo.IRP_MJ_MAXIMUM_FUNCTION >= WdmIo.IRP_MJ_CLEANUP, "the table covers every code");
    }
}
