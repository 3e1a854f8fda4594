package org.nbl4j.stack.ddk;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/** {@code IO_STACK_LOCATION}: the current stack location of an IRP ({@code IoGetCurrentIrpStackLocation}). */
public final class IO_STACK_LOCATION {
    /** {@code MajorFunction} ({@code IRP_MJ_*}). */
    public final int MajorFunction;
    /** {@code MinorFunction}: 0 for the requests user mode sends. */
    public final int MinorFunction = 0;
    /** {@code FileObject}: the handle the request came on. */
    public final FILE_OBJECT FileObject;
    /** {@code DeviceObject}. */
    public final DEVICE_OBJECT DeviceObject;
    /** {@code Parameters}: the member for IRP_MJ_DEVICE_CONTROL is {@code DeviceIoControl}. */
    public final PARAMETERS Parameters;

    /** {@code IrpSp->Parameters}. */
    public static final class PARAMETERS {
        /** {@code Parameters.DeviceIoControl}. */
        public final DEVICE_IO_CONTROL DeviceIoControl;

        private PARAMETERS(DEVICE_IO_CONTROL deviceIoControl) {
            this.DeviceIoControl = deviceIoControl;
        }
    }

    /** {@code Parameters.DeviceIoControl}. */
    public static final class DEVICE_IO_CONTROL {
        /** {@code OutputBufferLength}. */
        public final int OutputBufferLength;
        /** {@code InputBufferLength}. */
        public final int InputBufferLength;
        /** {@code IoControlCode}: a {@code CTL_CODE}. */
        public final int IoControlCode;

        private final IRP irp;

        private DEVICE_IO_CONTROL(IRP irp) {
            this.irp = irp;
            this.OutputBufferLength = irp.irp.outputBufferLength();
            this.InputBufferLength = irp.irp.inputBufferLength();
            this.IoControlCode = irp.irp.ioControlCode();
        }

        /** {@code Type3InputBuffer}: METHOD_NEITHER's input; {@code NULL} for the other methods. */
        public @Nullable MemorySegment Type3InputBuffer() {
            return irp.irp.type3InputBuffer("IrpSp->Parameters.DeviceIoControl.Type3InputBuffer");
        }
    }

    IO_STACK_LOCATION(IRP irp) {
        this.MajorFunction = irp.irp.majorFunction();
        this.FileObject = FILE_OBJECT.of(irp.irp.file());
        this.DeviceObject = DEVICE_OBJECT.of(irp.irp.device());
        this.Parameters = new PARAMETERS(new DEVICE_IO_CONTROL(irp));
    }
}
