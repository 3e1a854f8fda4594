package org.nbl4j.stack.ddk;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.stack.ndis.OidRequest;
import org.nbl4j.stack.ndis.Oids;

/**
 * {@code NDIS_OID_REQUEST}: an OID query, set or method, filled in field by field by whoever issues it and passed down
 * the stack as this very object, which NDIS routes as the stack's {@link OidRequest}.
 *
 * <p>{@code DATA} is the C union of {@code QUERY_INFORMATION}, {@code SET_INFORMATION} and {@code METHOD_INFORMATION}.
 * Drivers write one member and read another ({@code Request->DATA.QUERY_INFORMATION.Oid} whatever the type), so the
 * members are accessor pairs over one store laid out as the C union (x64): {@code Oid} at 0,
 * {@code InformationBuffer} at 8, then ULONGs at 16, 20, 24 (query and set) or 16 to 36 (method). The one-argument
 * form reads, the two-argument form writes: {@code Request->DATA.QUERY_INFORMATION.BytesWritten = n;} ports as
 * {@code Request.DATA.QUERY_INFORMATION.BytesWritten(n);}.
 *
 * <p>{@code SourceReserved} is where the issuer keeps what it needs at completion; the ndis filter sample keeps the
 * original request of a clone there, which ports as {@code Clone.SourceReserved[0] = Request;}.
 */
public final class NDIS_OID_REQUEST implements OidRequest {
    /** {@code sizeof(NDIS_OID_REQUEST)} on x64: what a clone's tagged allocation counts. */
    static final int SIZEOF = 240;

    /** {@code Header}: {@code NDIS_OBJECT_TYPE_OID_REQUEST}, {@code NDIS_OID_REQUEST_REVISION_1}, its size. */
    public final NDIS_OBJECT_HEADER Header = new NDIS_OBJECT_HEADER();
    /** {@code RequestType}: {@code NdisRequestQueryInformation}, {@code NdisRequestSetInformation}, ... */
    public int RequestType;
    /** {@code PortNumber}. */
    public int PortNumber;
    /** {@code Timeout} in seconds; 0 for none. */
    public int Timeout;
    /** {@code RequestId}: what {@code NdisFCancelOidRequest} names the request by. */
    public @Nullable Object RequestId;
    /** {@code RequestHandle}: set by NDIS for the issuer's binding or module. */
    public @Nullable Object RequestHandle;
    /** {@code DATA}: the union of the three request shapes. */
    public final DATA_UNION DATA = new DATA_UNION();
    /** {@code SourceReserved}: two pointers for the issuer. */
    public final @Nullable Object[] SourceReserved = new Object[2];
    /** {@code SupportedRevision}. */
    public int SupportedRevision;

    /** The union's store: {@code Oid}, {@code InformationBuffer} and the ULONGs at offsets 16 to 36. */
    private int oid;

    private @Nullable MemorySegment informationBuffer;
    private final int[] ulongs = new int[6];
    /** The tagged memory a clone is counted in, freed by {@code NdisFreeCloneOidRequest}; null for other requests. */
    @Nullable
    MemoryBlock cloneMemory;

    private int ulongAt(int offset) {
        return ulongs[(offset - 16) / 4];
    }

    private void ulongAt(int offset, int value) {
        ulongs[(offset - 16) / 4] = value;
    }

    /** The {@code DATA} union. */
    public final class DATA_UNION {
        /** {@code QUERY_INFORMATION}. */
        public final QUERY QUERY_INFORMATION = new QUERY();
        /** {@code SET_INFORMATION}. */
        public final SET SET_INFORMATION = new SET();
        /** {@code METHOD_INFORMATION}. */
        public final METHOD METHOD_INFORMATION = new METHOD();

        private DATA_UNION() {}
    }

    /** The members every shape shares: {@code Oid} and {@code InformationBuffer}. */
    public class SHARED {
        private SHARED() {}

        /** Reads {@code Oid}. */
        public int Oid() {
            return oid;
        }

        /** Writes {@code Oid}. */
        public void Oid(int value) {
            oid = value;
        }

        /** Reads {@code InformationBuffer}. */
        public @Nullable MemorySegment InformationBuffer() {
            return informationBuffer;
        }

        /** Writes {@code InformationBuffer}. */
        public void InformationBuffer(@Nullable MemorySegment value) {
            informationBuffer = value;
        }
    }

    /** {@code DATA.QUERY_INFORMATION}. */
    public final class QUERY extends SHARED {
        private QUERY() {}

        /** Reads {@code InformationBufferLength}. */
        public int InformationBufferLength() {
            return ulongAt(16);
        }

        /** Writes {@code InformationBufferLength}. */
        public void InformationBufferLength(int value) {
            ulongAt(16, value);
        }

        /** Reads {@code BytesWritten}. */
        public int BytesWritten() {
            return ulongAt(20);
        }

        /** Writes {@code BytesWritten}. */
        public void BytesWritten(int value) {
            ulongAt(20, value);
        }

        /** Reads {@code BytesNeeded}. */
        public int BytesNeeded() {
            return ulongAt(24);
        }

        /** Writes {@code BytesNeeded}. */
        public void BytesNeeded(int value) {
            ulongAt(24, value);
        }
    }

    /** {@code DATA.SET_INFORMATION}. */
    public final class SET extends SHARED {
        private SET() {}

        /** Reads {@code InformationBufferLength}. */
        public int InformationBufferLength() {
            return ulongAt(16);
        }

        /** Writes {@code InformationBufferLength}. */
        public void InformationBufferLength(int value) {
            ulongAt(16, value);
        }

        /** Reads {@code BytesRead}. */
        public int BytesRead() {
            return ulongAt(20);
        }

        /** Writes {@code BytesRead}. */
        public void BytesRead(int value) {
            ulongAt(20, value);
        }

        /** Reads {@code BytesNeeded}. */
        public int BytesNeeded() {
            return ulongAt(24);
        }

        /** Writes {@code BytesNeeded}. */
        public void BytesNeeded(int value) {
            ulongAt(24, value);
        }
    }

    /** {@code DATA.METHOD_INFORMATION}. */
    public final class METHOD extends SHARED {
        private METHOD() {}

        /** Reads {@code InputBufferLength}. */
        public int InputBufferLength() {
            return ulongAt(16);
        }

        /** Writes {@code InputBufferLength}. */
        public void InputBufferLength(int value) {
            ulongAt(16, value);
        }

        /** Reads {@code OutputBufferLength}. */
        public int OutputBufferLength() {
            return ulongAt(20);
        }

        /** Writes {@code OutputBufferLength}. */
        public void OutputBufferLength(int value) {
            ulongAt(20, value);
        }

        /** Reads {@code MethodId}. */
        public int MethodId() {
            return ulongAt(24);
        }

        /** Writes {@code MethodId}. */
        public void MethodId(int value) {
            ulongAt(24, value);
        }

        /** Reads {@code BytesWritten}. */
        public int BytesWritten() {
            return ulongAt(28);
        }

        /** Writes {@code BytesWritten}. */
        public void BytesWritten(int value) {
            ulongAt(28, value);
        }

        /** Reads {@code BytesRead}. */
        public int BytesRead() {
            return ulongAt(32);
        }

        /** Writes {@code BytesRead}. */
        public void BytesRead(int value) {
            ulongAt(32, value);
        }

        /** Reads {@code BytesNeeded}. */
        public int BytesNeeded() {
            return ulongAt(36);
        }

        /** Writes {@code BytesNeeded}. */
        public void BytesNeeded(int value) {
            ulongAt(36, value);
        }
    }

    /** What {@code NdisAllocateCloneOidRequest} copies: every field but {@code SourceReserved}. */
    void copyInto(NDIS_OID_REQUEST clone) {
        clone.Header.Type = Header.Type;
        clone.Header.Revision = Header.Revision;
        clone.Header.Size = Header.Size;
        clone.RequestType = RequestType;
        clone.PortNumber = PortNumber;
        clone.Timeout = Timeout;
        clone.RequestId = RequestId;
        clone.RequestHandle = RequestHandle;
        clone.SupportedRevision = SupportedRevision;
        clone.oid = oid;
        clone.informationBuffer = informationBuffer;
        System.arraycopy(ulongs, 0, clone.ulongs, 0, ulongs.length);
    }

    // ---- what NDIS reads and writes as it routes the request ----

    private boolean method() {
        return RequestType == Oids.NdisRequestMethod;
    }

    private boolean set() {
        return RequestType == Oids.NdisRequestSetInformation;
    }

    @Override
    public int requestType() {
        return RequestType;
    }

    @Override
    public int oid() {
        return oid;
    }

    @Override
    public int portNumber() {
        return PortNumber;
    }

    @Override
    public @Nullable Object requestId() {
        return RequestId;
    }

    @Override
    public @Nullable MemorySegment informationBuffer() {
        return informationBuffer;
    }

    @Override
    public int informationBufferLength() {
        return method() ? ulongAt(20) : ulongAt(16);
    }

    @Override
    public void setBytesWritten(int bytes) {
        if (!set()) {
            ulongAt(method() ? 28 : 20, bytes);
        }
    }

    @Override
    public int bytesWritten() {
        return set() ? 0 : ulongAt(method() ? 28 : 20);
    }

    @Override
    public void setBytesRead(int bytes) {
        if (method()) {
            ulongAt(32, bytes);
        } else if (set()) {
            ulongAt(20, bytes);
        }
    }

    @Override
    public int bytesRead() {
        return method() ? ulongAt(32) : set() ? ulongAt(20) : 0;
    }

    @Override
    public void setBytesNeeded(int bytes) {
        ulongAt(method() ? 36 : 24, bytes);
    }

    @Override
    public int bytesNeeded() {
        return ulongAt(method() ? 36 : 24);
    }

    @Override
    public String toString() {
        return "NDIS_OID_REQUEST(type " + RequestType + ", Oid 0x" + Integer.toHexString(oid) + ", RequestId "
                + RequestId + ")";
    }
}
