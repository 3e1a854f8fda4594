package org.nbl4j.stack.scenarios;

import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ip.AddressFamily;
import org.nbl4j.stack.wfp.InjectionCompletion;
import org.nbl4j.stack.wfp.WfpBuffers;

/**
 * The WFP calls the scenarios' callouts make, counted in pairs so the harness can check invariant I-1 of
 * wfp-callouts-and-injection §8.4: allocated − freed, cloned − freeClone, reference − dereference and
 * injected − completed all come back to 0 once the host is quiet. Every call goes to the real {@link WfpBuffers}.
 */
final class CountedWfp {
    final AtomicLong allocated = new AtomicLong();
    final AtomicLong freed = new AtomicLong();
    final AtomicLong cloned = new AtomicLong();
    final AtomicLong clonesFreed = new AtomicLong();
    final AtomicLong references = new AtomicLong();
    final AtomicLong dereferences = new AtomicLong();
    final AtomicLong injected = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    private final WfpBuffers buffers;

    CountedWfp(WfpBuffers buffers) {
        this.buffers = buffers;
    }

    /** {@code FwpsAllocateCloneNetBufferList0}. */
    NetBufferList clone(NetBufferList original) {
        NetBufferList clone = buffers.allocateCloneNetBufferList(original, null, null, 0);
        cloned.incrementAndGet();
        return clone;
    }

    /** {@code FwpsAllocateDeepCloneNetBufferList0}. */
    NetBufferList deepClone(NetBufferList original) {
        NetBufferList clone = buffers.allocateDeepCloneNetBufferList(original, null, null);
        cloned.incrementAndGet();
        return clone;
    }

    /** {@code FwpsFreeCloneNetBufferList0}. */
    void freeClone(NetBufferList clone) {
        buffers.freeCloneNetBufferList(clone, 0);
        clonesFreed.incrementAndGet();
    }

    /** {@code FwpsAllocateNetBufferAndNetBufferList0} over the caller's MDL. */
    NetBufferList allocate(NetBufferListPool pool, Mdl mdl, int length) {
        NetBufferList nbl = buffers.allocateNetBufferAndNetBufferList(pool, 0, 0, mdl, 0, length);
        allocated.incrementAndGet();
        return nbl;
    }

    /** {@code FwpsReassembleForwardFragmentGroup0}: an allocation, freed with {@link #free}. */
    NetBufferList reassemble(AddressFamily family, NetBufferList fragmentGroup) {
        NetBufferList whole = buffers.reassembleForwardFragmentGroup(family, fragmentGroup, null, 0, 0);
        allocated.incrementAndGet();
        return whole;
    }

    /** {@code FwpsFreeNetBufferList0}. */
    void free(NetBufferList nbl) {
        buffers.freeNetBufferList(nbl);
        freed.incrementAndGet();
    }

    /** {@code FwpsReferenceNetBufferList0}. */
    void reference(NetBufferList nbl, boolean intendToModify) {
        buffers.referenceNetBufferList(nbl, intendToModify);
        references.incrementAndGet();
    }

    /** {@code FwpsDereferenceNetBufferList0}. */
    void dereference(NetBufferList nbl, boolean dispatchLevel) {
        buffers.dereferenceNetBufferList(nbl, dispatchLevel);
        dereferences.incrementAndGet();
    }

    /** Counts the synchronous result of an inject call: only an accepted injection must complete (I-2). */
    int injection(int status) {
        if (status == NtStatus.STATUS_SUCCESS) {
            injected.incrementAndGet();
        }
        return status;
    }

    /** A completion function that counts its calls before running {@code completionFn}. */
    InjectionCompletion completion(InjectionCompletion completionFn) {
        return (@Nullable Object context, NetBufferList nbl, boolean dispatchLevel) -> {
            completed.incrementAndGet();
            completionFn.complete(context, nbl, dispatchLevel);
        };
    }
}
