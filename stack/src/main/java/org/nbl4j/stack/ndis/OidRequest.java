package org.nbl4j.stack.ndis;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * An {@code NDIS_OID_REQUEST} as NDIS routes it: from the protocol's binding down through the filter modules to the
 * miniport, and its completion back up (ndis-buffers §6; docs/ndis-adapter.md "OID requests"). The request is one
 * mutable object that every layer reads and the one that answers writes ({@code BytesWritten}, {@code BytesRead},
 * {@code BytesNeeded}).
 *
 * <p>The facade's {@code NDIS_OID_REQUEST} is the structure drivers fill in field by field and is this interface's
 * implementation; NDIS itself only needs what this interface reads and writes. Identity matters: a pended request
 * completes as the very object that was passed down.
 */
public interface OidRequest {

    /** {@code RequestType}: {@link Oids#NdisRequestQueryInformation} and the others. */
    int requestType();

    /** {@code DATA.*.Oid}, the same word in every member of the union. */
    int oid();

    /** {@code PortNumber}. */
    int portNumber();

    /** {@code RequestId}: what a cancel names the request by; {@code NULL} when the issuer never cancels it. */
    @Nullable
    Object requestId();

    /** {@code DATA.*.InformationBuffer}: the bytes the miniport reads (set) or writes (query); may be {@code NULL}. */
    @Nullable
    MemorySegment informationBuffer();

    /**
     * {@code InformationBufferLength} of a query or set; {@code OutputBufferLength} of a method. The bytes of
     * {@link #informationBuffer()} a query may write.
     */
    int informationBufferLength();

    /** Writes {@code BytesWritten} of a query or method. */
    void setBytesWritten(int bytes);

    /** {@code BytesWritten} of a query or method; 0 for a set. */
    int bytesWritten();

    /** Writes {@code BytesRead} of a set or method. */
    void setBytesRead(int bytes);

    /** {@code BytesRead} of a set or method; 0 for a query. */
    int bytesRead();

    /** Writes {@code BytesNeeded}: how large a buffer the request needs when the one given is too short. */
    void setBytesNeeded(int bytes);

    /** {@code BytesNeeded}. */
    int bytesNeeded();
}
