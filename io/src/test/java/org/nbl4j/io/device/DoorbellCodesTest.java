package org.nbl4j.io.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.nbl4j.stack.ddk.WdmIo.CTL_CODE;
import static org.nbl4j.stack.ddk.WdmIo.FILE_ANY_ACCESS;
import static org.nbl4j.stack.ddk.WdmIo.FILE_DEVICE_UNKNOWN;
import static org.nbl4j.stack.ddk.WdmIo.METHOD_BUFFERED;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The doorbell driver's IOCTLs are literals, so its dispatch can switch on them; each is the CTL_CODE it says. */
class DoorbellCodesTest {

    @Test
    @DisplayName("IOCTL_ECHO, IOCTL_WAIT and IOCTL_RING are the CTL_CODEs their comments give")
    void literalsAreTheirCtlCodes() {
        assertEquals(
                List.of(
                        CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS),
                        CTL_CODE(FILE_DEVICE_UNKNOWN, 0x901, METHOD_BUFFERED, FILE_ANY_ACCESS),
                        CTL_CODE(FILE_DEVICE_UNKNOWN, 0x902, METHOD_BUFFERED, FILE_ANY_ACCESS)),
                List.of(DoorbellDriver.IOCTL_ECHO, DoorbellDriver.IOCTL_WAIT, DoorbellDriver.IOCTL_RING));
    }
}
