package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.core.verify.VerifierFixture.dataPool;
import static org.nbl4j.core.verify.VerifierFixture.first;
import static org.nbl4j.core.verify.VerifierFixture.frame;
import static org.nbl4j.core.verify.VerifierFixture.line;
import static org.nbl4j.core.verify.VerifierFixture.withData;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.junit.NdisVerifierExtension;
import org.nbl4j.junit.ViolatesOnPurpose;

/** Ownership (§4.9, §6.12): touching an NBL one does not own, use after free, illegal hand-offs, context pops. */
class OwnershipViolationsTest {
    @RegisterExtension
    final NdisVerifierExtension verification = new NdisVerifierExtension();

    private static final PoolTag TAG = PoolTag.of("VfOw");

    private static NetBufferList packet(NetBufferListPool pool) {
        NetBufferList nbl = pool.allocateNetBufferList(0, 0);
        assertNotNull(nbl);
        return withData(nbl);
    }

    @Test
    @DisplayName("§4.9: touching the data of a SENT NBL is NBL_NOT_OWNED; after the completion it works")
    void touchingSentNblThrows() {
        try (Ndis ndis =
                verification.create(VerifierSettings.full().withDriverCode(OwnershipViolationsTest.class.getName()))) {
            NetBufferList nbl = packet(dataPool(ndis, TAG));
            NetBuffer nb = first(nbl);
            nbl.handOff(OwnerState.SENT, "miniport");

            RuleViolation getData = assertThrows(RuleViolation.class, () -> nb.getDataBuffer(4, null, 1, 0));
            assertEquals(BufferRule.NBL_NOT_OWNED, getData.rule());
            Violation violation = getData.violation();
            assertNotNull(violation);
            assertTrue(violation.detail().startsWith("NdisGetDataBuffer on "), violation.detail());
            assertTrue(violation.detail().endsWith("while it is SENT"), violation.detail());
            assertEquals(
                    BufferRule.NBL_NOT_OWNED,
                    assertThrows(RuleViolation.class, () -> nb.retreat(4, 0, null))
                            .rule());
            assertEquals(
                    BufferRule.NBL_NOT_OWNED,
                    assertThrows(RuleViolation.class, () -> nb.write(0, new byte[] {1}))
                            .rule());

            nbl.handOff(OwnerState.OWNED, null);
            assertNotNull(nb.getDataBuffer(4, null, 1, 0));
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nb.retreat(4, 0, null));
            assertEquals(20, nb.dataLength());
            nbl.free();
        }
    }

    @Test
    @DisplayName("§4.9 under COLLECT: the touches of a SENT NBL are refused and change nothing")
    @ViolatesOnPurpose
    void touchingSentNblIsRefused() {
        try (Ndis ndis = verification.create(VerifierSettings.full()
                .withDriverCode(OwnershipViolationsTest.class.getName())
                .withPolicy(ViolationPolicy.COLLECT))) {
            NetBufferList nbl = packet(dataPool(ndis, TAG));
            NetBuffer nb = first(nbl);
            byte[] data = nb.toByteArray();
            int offset = nb.dataOffset();
            nbl.handOff(OwnerState.INJECTED, "FwpsInjectNetworkSendAsync0");

            assertNull(nb.getDataBuffer(4, null, 1, 0));
            assertEquals(NtStatus.NDIS_STATUS_FAILURE, nb.retreat(4, 0, null));
            assertEquals(0, nb.write(0, new byte[] {(byte) 0xFF}));
            nbl.advance(4, false, null);

            assertEquals(offset, nb.dataOffset());
            assertEquals(16, nb.dataLength());
            List<Violation> violations = ndis.verifier().violations();
            assertEquals(4, violations.size());
            assertTrue(violations.stream().allMatch(v -> v.rule() == BufferRule.NBL_NOT_OWNED), violations.toString());
            nbl.handOff(OwnerState.OWNED, null);
            assertArrayEquals(data, nb.toByteArray(), "the write was refused");
            nbl.free();
        }
    }

    @Test
    @DisplayName("§4.10 checked mode, verifier OFF: a freed NBL's use is USE_AFTER_FREE")
    void useAfterFreeChecked() {
        try (Ndis ndis = verification.createChecked(VerifierSettings.off())) {
            NetBufferList nbl = packet(dataPool(ndis, TAG));
            NetBuffer nb = first(nbl);
            nbl.free();

            RuleViolation thrown = assertThrows(RuleViolation.class, () -> nb.retreat(4, 0, null));
            assertEquals(BufferRule.USE_AFTER_FREE, thrown.rule());
            assertEquals(
                    BufferRule.USE_AFTER_FREE,
                    assertThrows(RuleViolation.class, () -> nbl.allocateContext(8, 0, TAG))
                            .rule());
            Violation violation = thrown.violation();
            assertNotNull(violation);
            assertNull(violation.buffer(), "the verifier is off: nothing was tracked");
        }
    }

    @Test
    @DisplayName("§4.10 standard verifier: a freed NBL's use is USE_AFTER_FREE, naming allocation and free")
    void useAfterFreeStandard() {
        try (Ndis ndis = verification.create(VerifierSettings.standard()
                .withDriverCode(OwnershipViolationsTest.class.getName())
                .withSamplingInterval(1))) {
            NetBufferListPool pool = dataPool(ndis, TAG);
            int allocated = line() + 1;
            NetBufferList nbl = pool.allocateNetBufferList(0, 0);
            assertNotNull(nbl);
            int freed = line() + 1;
            nbl.free();

            RuleViolation thrown = assertThrows(RuleViolation.class, () -> nbl.retreat(4, 0, null, null));

            assertEquals(BufferRule.USE_AFTER_FREE, thrown.rule());
            Violation violation = thrown.violation();
            assertNotNull(violation);
            BufferTrack buffer = violation.buffer();
            assertNotNull(buffer);
            assertEquals(
                    frame(OwnershipViolationsTest.class, "useAfterFreeStandard", allocated),
                    buffer.allocation().where());
            Site free = buffer.free();
            assertNotNull(free);
            assertEquals(frame(OwnershipViolationsTest.class, "useAfterFreeStandard", freed), free.where());
            assertEquals(OwnerState.FREE, buffer.state());
        }
    }

    @Test
    @DisplayName("§4.9: SENT → SENT and SENT → INDICATED are NBL_ILLEGAL_HAND_OFF; the state stays SENT")
    void illegalHandOffsInFlight() {
        try (Ndis ndis =
                verification.create(VerifierSettings.full().withDriverCode(OwnershipViolationsTest.class.getName()))) {
            NetBufferList nbl = packet(dataPool(ndis, TAG));
            nbl.handOff(OwnerState.SENT, "miniport");

            RuleViolation twice = assertThrows(RuleViolation.class, () -> nbl.handOff(OwnerState.SENT, "other"));
            assertEquals(BufferRule.NBL_ILLEGAL_HAND_OFF, twice.rule());
            Violation violation = twice.violation();
            assertNotNull(violation);
            assertTrue(violation.detail().endsWith("handed from SENT to SENT"), violation.detail());
            assertEquals(
                    BufferRule.NBL_ILLEGAL_HAND_OFF,
                    assertThrows(RuleViolation.class, () -> nbl.handOff(OwnerState.INDICATED, "protocol"))
                            .rule());
            assertEquals(
                    BufferRule.NBL_ILLEGAL_HAND_OFF,
                    assertThrows(RuleViolation.class, () -> nbl.handOff(OwnerState.FREE, null))
                            .rule());
            assertEquals(OwnerState.SENT, nbl.ownerState());
            BufferTrack track = nbl.track();
            assertNotNull(track);
            assertEquals("miniport", track.holder(), "the refused hand-offs did not change the holder");

            nbl.handOff(OwnerState.OWNED, null);
            assertThrows(RuleViolation.class, () -> nbl.handOff(OwnerState.FREE, null), "OWNED → FREE is free()");
            nbl.free();
        }
    }

    @ParameterizedTest
    @EnumSource(OwnerState.class)
    @DisplayName("§4.10: handing off a freed NBL, to anything, is USE_AFTER_FREE")
    void handOffFromFree(OwnerState to) {
        try (Ndis ndis =
                verification.create(VerifierSettings.full().withDriverCode(OwnershipViolationsTest.class.getName()))) {
            NetBufferList nbl = packet(dataPool(ndis, TAG));
            nbl.free();

            RuleViolation thrown = assertThrows(RuleViolation.class, () -> nbl.handOff(to, "someone"));

            assertEquals(BufferRule.USE_AFTER_FREE, thrown.rule());
            assertEquals(OwnerState.FREE, nbl.ownerState());
        }
    }

    @Test
    @DisplayName("§4.9: every legal hand-off, out and back, is accepted")
    void legalHandOffs() {
        try (Ndis ndis =
                verification.create(VerifierSettings.full().withDriverCode(OwnershipViolationsTest.class.getName()))) {
            NetBufferList nbl = packet(dataPool(ndis, TAG));
            for (OwnerState away : List.of(OwnerState.SENT, OwnerState.INDICATED, OwnerState.INJECTED)) {
                nbl.handOff(away, "peer");
                assertEquals(away, nbl.ownerState());
                nbl.handOff(OwnerState.OWNED, null);
                assertEquals(OwnerState.OWNED, nbl.ownerState());
            }
            nbl.handOff(OwnerState.OWNED, "another component");
            assertEquals(OwnerState.OWNED, nbl.ownerState());
            assertTrue(ndis.verifier().violations().isEmpty());
            nbl.free();
        }
    }

    @Test
    @DisplayName("§4.5: popping context that was not pushed is CONTEXT_OVER_RELEASE, whatever the policy; nothing pops")
    void contextOverRelease() {
        try (Ndis ndis = verification.create(VerifierSettings.full()
                .withDriverCode(OwnershipViolationsTest.class.getName())
                .withPolicy(ViolationPolicy.COLLECT))) {
            NetBufferList nbl = packet(dataPool(ndis, TAG));
            assertEquals(
                    BufferRule.CONTEXT_OVER_RELEASE,
                    assertThrows(RuleViolation.class, () -> nbl.freeContext(8)).rule());
            assertEquals(NtStatus.NDIS_STATUS_SUCCESS, nbl.allocateContext(8, 0, TAG));

            RuleViolation thrown = assertThrows(RuleViolation.class, () -> nbl.freeContext(16));

            assertEquals(BufferRule.CONTEXT_OVER_RELEASE, thrown.rule());
            assertTrue(thrown.getMessage().contains("popping 16 bytes, 8 in use"), thrown.getMessage());
            assertEquals(8, nbl.contextUsedSize(), "nothing was popped");
            nbl.freeContext(8);
            assertEquals(0, nbl.contextUsedSize());
            nbl.free();
        }
    }
}
