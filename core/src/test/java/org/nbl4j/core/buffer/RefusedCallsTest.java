package org.nbl4j.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferRule;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.OwnerState;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.RuleViolation;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.junit.NdisVerifierExtension;
import org.nbl4j.junit.ViolatesOnPurpose;

/**
 * A refused call does nothing. Under {@link ViolationPolicy#COLLECT} (and {@code LOG}) a broken rule is recorded and
 * the DDI returns without doing its work, as Driver Verifier's NDIS rules report and NDIS then ignores the call: a
 * free of an NBL in flight leaves it allocated, a touch of a freed NB changes nothing. These tests call the Java API a
 * driver calls and check both halves, the violation and the refusal; a check that reported but went on anyway would
 * free or change the buffer and fail them.
 */
class RefusedCallsTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag NBL_TAG = PoolTag.of("RfNl");
    private static final PoolTag NB_TAG = PoolTag.of("RfNb");

    private final Ndis ndis = verification.create(VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT));
    private final NetBufferListPool pool =
            allocated(ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, NBL_TAG, 64)));
    private final NetBufferPool nbPool = allocated(ndis.allocateNetBufferPool(NetBufferPoolParameters.of(NB_TAG, 64)));

    private static <T> T allocated(T element) {
        assertNotNull(element);
        return element;
    }

    /** The rules broken so far, in order. */
    private List<Rule> rules() {
        return ndis.verifier().violations().stream().map(Violation::rule).toList();
    }

    @Test
    @DisplayName("§4.9: NdisFreeNetBufferList on an NBL sent down is refused: it stays allocated and outstanding")
    @ViolatesOnPurpose
    void freeInFlightIsRefused() {
        NetBufferList nbl = allocated(pool.allocateNetBufferList(0, 0));
        nbl.handOff(OwnerState.SENT, "a miniport");

        nbl.free();

        assertEquals(List.of(BufferRule.NBL_FREE_IN_FLIGHT), rules());
        assertTrue(nbl.isAllocated(), "the miniport still has it");
        assertEquals(1, pool.outstanding());
        nbl.handOff(OwnerState.OWNED, null); // the send completes
        nbl.free();
        assertEquals(0, pool.outstanding());
    }

    @Test
    @DisplayName("§5.1: NdisFreeNetBufferList on a parent whose ChildRefCount is not 0 is refused")
    @ViolatesOnPurpose
    void freeWithChildrenIsRefused() {
        NetBufferList parent = allocated(pool.allocateNetBufferList(0, 0));
        parent.incrementChildRefCount(); // a clone still points at it

        parent.free();

        assertEquals(List.of(BufferRule.NBL_FREE_WITH_CHILDREN), rules());
        assertTrue(parent.isAllocated(), "the clone still reads its data");
        parent.decrementChildRefCount();
        parent.free();
        assertEquals(0, pool.outstanding());
    }

    @Test
    @DisplayName("§5.2: a clone freed with NdisFreeNetBufferList is refused: it has its own free")
    @ViolatesOnPurpose
    void cloneFreedAsAllocatedIsRefused() {
        NetBufferList original = allocated(pool.allocateNetBufferList(0, 0));
        NetBufferList clone = allocated(original.allocateClone(null, null, 0));

        clone.free();

        assertEquals(List.of(BufferRule.NBL_WRONG_FREE_FUNCTION), rules());
        assertTrue(clone.isAllocated());
        clone.freeClone(0);
        original.free();
    }

    @Test
    @DisplayName("§6.11: NdisFreeNetBufferList above DISPATCH_LEVEL is refused")
    @ViolatesOnPurpose
    void freeAboveDispatchIsRefused() {
        NetBufferList nbl = allocated(pool.allocateNetBufferList(0, 0));

        Irql.runAt(Irql.HIGH_LEVEL, nbl::free);

        assertEquals(List.of(BufferRule.IRQL_TOO_HIGH), rules());
        String detail = ndis.verifier().violations().getFirst().detail();
        assertTrue(detail.startsWith("NdisFreeNetBufferList requires IRQL <= DISPATCH_LEVEL"), detail);
        assertTrue(
                detail.contains(
                        "learn.microsoft.com/windows-hardware/drivers/ddi/nblapi/nf-nblapi-ndisfreenetbufferlist"),
                detail);
        assertTrue(nbl.isAllocated());
        nbl.free();
    }

    @Test
    @DisplayName("§4.9: an NBL indicated up is not the driver's: NdisAllocateNetBufferListContext on it fails")
    @ViolatesOnPurpose
    void touchInFlightIsRefused() {
        NetBufferList nbl = allocated(pool.allocateNetBufferList(0, 0));
        nbl.handOff(OwnerState.INDICATED, "a protocol");

        assertEquals(NtStatus.NDIS_STATUS_FAILURE, nbl.allocateContext(8, 0, NBL_TAG));

        assertEquals(List.of(BufferRule.NBL_NOT_OWNED), rules());
        nbl.handOff(OwnerState.OWNED, null);
        assertEquals(0, nbl.contextUsedSize(), "no context was pushed");
        nbl.free();
    }

    @Test
    @DisplayName("§6.11: NdisAllocateNetBufferListContext above DISPATCH_LEVEL fails")
    @ViolatesOnPurpose
    void touchAboveDispatchIsRefused() {
        NetBufferList nbl = allocated(pool.allocateNetBufferList(0, 0));
        int[] status = new int[1];

        Irql.runAt(Irql.HIGH_LEVEL, () -> status[0] = nbl.allocateContext(8, 0, NBL_TAG));

        assertEquals(NtStatus.NDIS_STATUS_FAILURE, status[0]);
        assertEquals(List.of(BufferRule.IRQL_TOO_HIGH), rules());
        assertEquals(0, nbl.contextUsedSize());
        nbl.free();
    }

    @Test
    @DisplayName("§4.10: NdisRetreatNetBufferDataStart on a freed NB of an NB pool fails and changes nothing")
    @ViolatesOnPurpose
    void retreatAfterFreeIsRefused() {
        NetBuffer nb = allocated(nbPool.allocateNetBufferMdlAndData());
        nb.free();

        assertEquals(NtStatus.NDIS_STATUS_FAILURE, nb.retreat(8, 0, null));

        assertEquals(List.of(BufferRule.USE_AFTER_FREE), rules());
        assertEquals(0, nb.dataLength(), "the freed NB kept its length");
    }

    @Test
    @DisplayName("§6.11: NdisRetreatNetBufferDataStart above DISPATCH_LEVEL fails and changes nothing")
    @ViolatesOnPurpose
    void retreatAboveDispatchIsRefused() {
        NetBuffer nb = allocated(nbPool.allocateNetBufferMdlAndData());
        int[] status = new int[1];

        Irql.runAt(Irql.HIGH_LEVEL, () -> status[0] = nb.retreat(8, 0, null));

        assertEquals(NtStatus.NDIS_STATUS_FAILURE, status[0]);
        assertEquals(List.of(BufferRule.IRQL_TOO_HIGH), rules());
        assertEquals(0, nb.dataLength());
        nb.free();
    }

    @Test
    @DisplayName("§4.5: NdisFreeNetBufferListContext may pop exactly what was pushed, or nothing")
    void contextPopsUpToWhatWasPushed() {
        NetBufferList nbl = allocated(pool.allocateNetBufferList(0, 0));
        assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nbl.allocateContext(16, 0, NBL_TAG));

        nbl.freeContext(0);
        nbl.freeContext(16);

        assertEquals(List.of(), rules());
        assertEquals(0, nbl.contextUsedSize());
        nbl.free();
    }

    @Test
    @DisplayName("§4.8: with the verifier off, a second NdisFreeNetBufferList is still refused")
    void doubleFreeIsCaughtWithTheVerifierOff() {
        Ndis off = verification.create(VerifierSettings.off());
        NetBufferListPool offPool =
                allocated(off.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, NBL_TAG, 64)));
        NetBufferList nbl = allocated(offPool.allocateNetBufferList(0, 0));
        nbl.free();

        RuleViolation thrown = assertThrows(RuleViolation.class, nbl::free);

        assertEquals(BufferRule.NBL_DOUBLE_FREE, thrown.rule());
        assertEquals(0, offPool.outstanding(), "the NBL went back to its pool once");
        offPool.close();
    }

    @Test
    @DisplayName("§5.2: with the verifier off, a clone freed with NdisFreeNetBufferList is still refused")
    void wrongFreeIsCaughtWithTheVerifierOff() {
        Ndis off = verification.create(VerifierSettings.off());
        NetBufferListPool offPool =
                allocated(off.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, NBL_TAG, 64)));
        NetBufferList original = allocated(offPool.allocateNetBufferList(0, 0));
        NetBufferList clone = allocated(original.allocateClone(null, null, 0));

        RuleViolation thrown = assertThrows(RuleViolation.class, clone::free);

        assertEquals(BufferRule.NBL_WRONG_FREE_FUNCTION, thrown.rule());
        assertTrue(clone.isAllocated());
        clone.freeClone(0);
        original.free();
        offPool.close();
    }

    @Test
    @DisplayName("§4.8: in checked mode with the verifier off, a touch of a freed NBL is still refused")
    @ViolatesOnPurpose
    void touchAfterFreeIsCaughtInCheckedModeWithTheVerifierOff() {
        Ndis checked = verification.createChecked(VerifierSettings.off().withPolicy(ViolationPolicy.COLLECT));
        NetBufferListPool checkedPool =
                allocated(checked.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, NBL_TAG, 64)));
        NetBufferList nbl = allocated(checkedPool.allocateNetBufferList(0, 0));
        nbl.free();

        int status = nbl.allocateContext(8, 0, NBL_TAG);

        assertEquals(NtStatus.NDIS_STATUS_FAILURE, status, "refused: no context pushed on a freed NBL");
        List<Violation> violations = checked.verifier().violations();
        assertEquals(
                List.of(BufferRule.USE_AFTER_FREE),
                violations.stream().map(Violation::rule).toList());
        assertTrue(violations.getFirst().detail().contains("NdisAllocateNetBufferListContext"));
        checkedPool.close();
    }

    @Test
    @DisplayName("§4.8: a freed NB leaves the verifier's outstanding buffers, so no leak report names it")
    void aFreedNetBufferIsNoLongerOutstanding() {
        NetBuffer nb = allocated(nbPool.allocateNetBufferMdlAndData());
        assertEquals(
                1,
                ndis.verifier().leaks(NB_TAG, "before the free").outstanding().size());

        nb.free();

        assertTrue(ndis.verifier().leaks(NB_TAG, "after the free").isEmpty());
        assertEquals(List.of(), rules());
    }

    @Test
    @DisplayName("§6.11: NdisGeneratePartialCancelId above DISPATCH_LEVEL is refused, returns 0 and takes no id")
    @ViolatesOnPurpose
    void partialCancelIdAboveDispatchTakesNoId() {
        int[] refused = {-1};
        Irql.runAt(Irql.HIGH_LEVEL, () -> refused[0] = ndis.generatePartialCancelId());

        assertEquals(0, refused[0]);
        assertEquals(List.of(BufferRule.IRQL_TOO_HIGH), rules());
        assertEquals(0, ndis.generatePartialCancelId(), "the first id is still there for the first legal call");
        assertEquals(1, ndis.generatePartialCancelId());
    }
}
