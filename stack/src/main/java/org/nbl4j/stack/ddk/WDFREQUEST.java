package org.nbl4j.stack.ddk;

/**
 * {@code WDFREQUEST}: the framework's object for one I/O request; in nbl4j a view of the request's {@link IRP}, one per
 * IRP, so that a driver may compare requests.
 */
public final class WDFREQUEST {
    final IRP irp;

    private WDFREQUEST(IRP irp) {
        this.irp = irp;
    }

    static synchronized WDFREQUEST of(IRP irp) {
        WDFREQUEST request = irp.request;
        if (request == null) {
            request = new WDFREQUEST(irp);
            irp.request = request;
        }
        return request;
    }

    @Override
    public String toString() {
        return "WDFREQUEST of " + irp;
    }
}
