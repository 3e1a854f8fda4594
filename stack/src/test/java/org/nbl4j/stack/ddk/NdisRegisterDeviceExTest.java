package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.nbl4j.stack.ddk.NdisH.*;
import static org.nbl4j.stack.ddk.Ntddk.IO_NO_INCREMENT;
import static org.nbl4j.stack.ddk.WdmIo.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.stack.device.FileObject;
import org.nbl4j.stack.device.IoManager;

/** A filter driver's control device through {@code NdisRegisterDeviceEx}, as LWF samples create theirs. */
class NdisRegisterDeviceExTest {
    private Ndis ndis;
    private IoManager io;
    private SystemIo.Binding binding;

    @BeforeEach
    void bind() {
        ndis = Ndis.createChecked();
        io = new IoManager(ndis);
        binding = SystemIo.bind(io);
    }

    @AfterEach
    void unbind() {
        binding.close();
        ndis.close();
    }

    private static int complete(IRP Irp, int status, long information) {
        Irp.IoStatus.Status = status;
        Irp.IoStatus.Information = information;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }

    private static NDIS_DEVICE_OBJECT_ATTRIBUTES attributes() {
        DRIVER_DISPATCH[] dispatchTable = new DRIVER_DISPATCH[IRP_MJ_MAXIMUM_FUNCTION + 1];
        dispatchTable[IRP_MJ_CREATE] = (DeviceObject, Irp) -> complete(Irp, NDIS_STATUS_SUCCESS, 0);
        dispatchTable[IRP_MJ_CLEANUP] = dispatchTable[IRP_MJ_CREATE];
        dispatchTable[IRP_MJ_CLOSE] = dispatchTable[IRP_MJ_CREATE];
        dispatchTable[IRP_MJ_DEVICE_CONTROL] = (DeviceObject, Irp) -> complete(
                Irp,
                NDIS_STATUS_SUCCESS,
                IoGetCurrentIrpStackLocation(Irp).Parameters.DeviceIoControl.InputBufferLength);
        UNICODE_STRING deviceName = new UNICODE_STRING();
        UNICODE_STRING symbolicName = new UNICODE_STRING();
        RtlInitUnicodeString(deviceName, "\\Device\\FilterCtl");
        RtlInitUnicodeString(symbolicName, "\\DosDevices\\FilterCtl");
        NDIS_DEVICE_OBJECT_ATTRIBUTES attributes = new NDIS_DEVICE_OBJECT_ATTRIBUTES();
        attributes.zero();
        attributes.Header.Type = NDIS_OBJECT_TYPE_DEVICE_OBJECT_ATTRIBUTES;
        attributes.Header.Revision = NDIS_DEVICE_OBJECT_ATTRIBUTES_REVISION_1;
        attributes.Header.Size = NDIS_SIZEOF_DEVICE_OBJECT_ATTRIBUTES_REVISION_1;
        attributes.DeviceName = deviceName;
        attributes.SymbolicName = symbolicName;
        attributes.MajorFunctions = dispatchTable;
        return attributes;
    }

    @Test
    @DisplayName("NdisRegisterDeviceEx makes a device and link user mode opens; NdisDeregisterDeviceEx removes both")
    void registerAndDeregister() {
        Ref<DEVICE_OBJECT> deviceObject = new Ref<>();
        Ref<NdisDeviceHandle> deviceHandle = new Ref<>();
        assertEquals(NDIS_STATUS_SUCCESS, NdisRegisterDeviceEx(null, attributes(), deviceObject, deviceHandle));
        assertNotNull(deviceObject.value());
        assertEquals(0, deviceObject.value().Flags & DO_DEVICE_INITIALIZING, "NDIS clears DO_DEVICE_INITIALIZING");
        assertEquals(List.of("\\dosdevices\\filterctl"), io.symbolicLinks());

        FileObject file = io.open("\\DosDevices\\FilterCtl");
        assertNotNull(file);
        List<byte[]> outputs = new ArrayList<>();
        file.create((status, information, output) -> outputs.add(output));
        file.deviceIoControl(0x00222000, new byte[] {1, 2, 3}, 3, (status, information, output) -> outputs.add(output));
        assertArrayEquals(new byte[] {1, 2, 3}, outputs.get(1), "the table's DEVICE_CONTROL routine answered");
        file.close();

        NdisDeregisterDeviceEx(deviceHandle.value());
        assertEquals(List.of(), io.symbolicLinks());
        assertNull(io.open("\\DosDevices\\FilterCtl"));
        assertEquals(List.of(), ndis.verifier().violations());
    }

    @Test
    @DisplayName("a wrong header or a missing name or table is NDIS_STATUS_INVALID_PARAMETER; a taken name fails")
    void refusals() {
        NDIS_DEVICE_OBJECT_ATTRIBUTES badHeader = attributes();
        badHeader.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        assertEquals(NDIS_STATUS_INVALID_PARAMETER, NdisRegisterDeviceEx(null, badHeader, new Ref<>(), new Ref<>()));
        NDIS_DEVICE_OBJECT_ATTRIBUTES noTable = attributes();
        noTable.MajorFunctions = null;
        assertEquals(NDIS_STATUS_INVALID_PARAMETER, NdisRegisterDeviceEx(null, noTable, new Ref<>(), new Ref<>()));

        Ref<NdisDeviceHandle> first = new Ref<>();
        assertEquals(NDIS_STATUS_SUCCESS, NdisRegisterDeviceEx(null, attributes(), new Ref<>(), first));
        Ref<DEVICE_OBJECT> second = new Ref<>();
        assertEquals(STATUS_OBJECT_NAME_COLLISION, NdisRegisterDeviceEx(null, attributes(), second, new Ref<>()));
        assertNull(second.value());
        NdisDeregisterDeviceEx(first.value());
    }
}
