package org.nbl4j.core.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * IRQL rules (§6.2, §6.11): the verifier's hooks {@link Verifier#irqlAtMost} and {@link Verifier#dispatchFlagHonest},
 * and KeRaiseIrql / KeLowerIrql. The stack's DDIs (filter send/receive, WFP injection) call these hooks on entry; the
 * tests call them directly, as such a DDI would.
 */
class IrqlRulesTest {
    private final Verifier verifier = new Verifier(VerifierSettings.full());
    private final Verifier collecting = new Verifier(VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT));

    @Test
    @DisplayName("§6.11: a PASSIVE_LEVEL-only DDI called at DISPATCH_LEVEL is IRQL_TOO_HIGH")
    void passiveOnlyCallAtDispatch() {
        AtomicReference<RuleViolation> thrown = new AtomicReference<>();
        Irql.runAt(
                Irql.DISPATCH_LEVEL,
                // FwpsInjectionHandleCreate0 is PASSIVE_LEVEL only; the stack's DDI calls this hook on entry
                () -> thrown.set(assertThrows(
                        RuleViolation.class,
                        () -> verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "FwpsInjectionHandleCreate0"))));

        assertEquals(BufferRule.IRQL_TOO_HIGH, thrown.get().rule());
        Violation violation = thrown.get().violation();
        assertNotNull(violation);
        assertNull(violation.bugcheck(), "SDV finds it statically; there is no runtime bugcheck of its own");
        assertEquals(
                "FwpsInjectionHandleCreate0 runs at PASSIVE_LEVEL or below, called at DISPATCH_LEVEL",
                violation.detail());
        assertEquals(Irql.PASSIVE_LEVEL, Irql.current(), "runAt restored the level");
    }

    @Test
    @DisplayName("§6.11: at or below its level the call may go on; under COLLECT a violation answers false")
    void irqlAtMostAnswers() {
        assertTrue(verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "FwpsInjectionHandleCreate0"));
        Irql.runAt(
                Irql.DISPATCH_LEVEL,
                () -> assertTrue(verifier.irqlAtMost(Irql.DISPATCH_LEVEL, "NdisFSendNetBufferLists")));
        assertTrue(verifier.violations().isEmpty());

        AtomicBoolean answer = new AtomicBoolean(true);
        Irql.runAt(Irql.APC_LEVEL, () -> answer.set(collecting.irqlAtMost(Irql.PASSIVE_LEVEL, "FilterAttach")));

        assertFalse(answer.get(), "the DDI must refuse the call");
        assertEquals(1, collecting.violations().size());
        assertEquals(
                BufferRule.IRQL_TOO_HIGH, collecting.violations().getFirst().rule());
    }

    @Test
    @DisplayName("§6.11: with the verifier OFF the IRQL is not checked")
    void irqlNotCheckedWhenOff() {
        Verifier off = new Verifier(VerifierSettings.off());
        AtomicBoolean answer = new AtomicBoolean(false);
        Irql.runAt(Irql.DISPATCH_LEVEL, () -> answer.set(off.irqlAtMost(Irql.PASSIVE_LEVEL, "FilterPause")));
        assertTrue(answer.get());
        assertTrue(off.violations().isEmpty());
    }

    @Test
    @DisplayName("§6.2 Flags_Irql: a *_DISPATCH_LEVEL flag set at PASSIVE_LEVEL is IRQL_DISPATCH_FLAG_LIES")
    void dispatchFlagThatLies() {
        RuleViolation thrown = assertThrows(
                RuleViolation.class,
                () -> verifier.dispatchFlagHonest(true, "NdisFSendNetBufferLists", "NDIS_SEND_FLAGS_DISPATCH_LEVEL"));

        assertEquals(BufferRule.IRQL_DISPATCH_FLAG_LIES, thrown.rule());
        Violation violation = thrown.violation();
        assertNotNull(violation);
        assertEquals(
                "NdisFSendNetBufferLists was passed NDIS_SEND_FLAGS_DISPATCH_LEVEL, which says the caller is at"
                        + " DISPATCH_LEVEL, but the caller is at PASSIVE_LEVEL"
                        + " (https://learn.microsoft.com/windows-hardware/drivers/network/dispatch-irql-tracking)",
                violation.detail());
        assertEquals(
                BufferRule.IRQL_DISPATCH_FLAG_LIES,
                assertThrows(
                                RuleViolation.class,
                                () -> Irql.runAt(
                                        Irql.APC_LEVEL,
                                        () -> verifier.dispatchFlagHonest(
                                                true, "NdisFReturnNetBufferLists", "NDIS_RETURN_FLAGS_DISPATCH_LEVEL")))
                        .rule());
    }

    @Test
    @DisplayName("§6.2: the flag set at DISPATCH_LEVEL is honest; clear is always allowed (the safe answer)")
    void honestDispatchFlags() {
        Irql.runAt(Irql.DISPATCH_LEVEL, () -> {
            assertTrue(verifier.dispatchFlagHonest(true, "NdisFSendNetBufferLists", "NDIS_SEND_FLAGS_DISPATCH_LEVEL"));
            assertTrue(verifier.dispatchFlagHonest(false, "NdisFSendNetBufferLists", "NDIS_SEND_FLAGS_DISPATCH_LEVEL"));
        });
        assertTrue(verifier.dispatchFlagHonest(false, "NdisFSendNetBufferLists", "NDIS_SEND_FLAGS_DISPATCH_LEVEL"));
        assertTrue(verifier.violations().isEmpty());
    }

    @Test
    @DisplayName("KeRaiseIrql to a lower level is IRQL_BAD_RAISE_OR_LOWER; the level does not change")
    void raiseToLowerLevel() {
        Irql.runAt(Irql.DISPATCH_LEVEL, () -> {
            RuleViolation thrown = assertThrows(RuleViolation.class, () -> Irql.raise(Irql.PASSIVE_LEVEL));
            assertEquals(BufferRule.IRQL_BAD_RAISE_OR_LOWER, thrown.rule());
            assertTrue(thrown.getMessage().contains("KeRaiseIrql to PASSIVE_LEVEL from DISPATCH_LEVEL"));
            assertEquals(Irql.DISPATCH_LEVEL, Irql.current());
        });
    }

    @Test
    @DisplayName("KeLowerIrql to a higher level is IRQL_BAD_RAISE_OR_LOWER; a raise and its lower are fine")
    void lowerToHigherLevel() {
        assertEquals(
                BufferRule.IRQL_BAD_RAISE_OR_LOWER,
                assertThrows(RuleViolation.class, () -> Irql.lower(Irql.DISPATCH_LEVEL))
                        .rule());
        assertEquals(Irql.PASSIVE_LEVEL, Irql.current());

        Irql previous = Irql.raise(Irql.DISPATCH_LEVEL);
        assertEquals(Irql.DISPATCH_LEVEL, Irql.current());
        Irql.lower(previous);
        assertEquals(Irql.PASSIVE_LEVEL, Irql.current());
    }

    @Test
    @DisplayName("a bad raise or lower is thrown at its caller and kept nowhere, so nothing grows with each one")
    void badRaisesAreKeptNowhere() {
        Irql.runAt(Irql.DISPATCH_LEVEL, () -> {
            for (int i = 0; i < 3; i++) {
                Violation violation = assertThrows(RuleViolation.class, () -> Irql.raise(Irql.PASSIVE_LEVEL))
                        .violation();
                assertTrue(violation.thrown(), "the caller saw it");
                assertEquals(Thread.currentThread().getName(), violation.site().thread());
            }
        });
        // A thread's IRQL belongs to no NDIS instance, so no instance's violations() lists a bad raise. Nothing
        // static may keep one either: a verifier or a collection there would grow by one per bad call, for good.
        for (Class<?> type : List.of(Irql.class, Verifier.class)) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    assertFalse(
                            Verifier.class.isAssignableFrom(field.getType())
                                    || Collection.class.isAssignableFrom(field.getType())
                                    || Map.class.isAssignableFrom(field.getType()),
                            field::toString);
                }
            }
        }
    }

    @Test
    @DisplayName("KeRaiseIrql to the current level and KeLowerIrql back to it are legal (a nested raise at DISPATCH)")
    void raiseAndLowerToTheSameLevel() {
        Irql.runAt(Irql.DISPATCH_LEVEL, () -> {
            Irql previous = Irql.raise(Irql.DISPATCH_LEVEL);
            assertEquals(Irql.DISPATCH_LEVEL, previous);
            Irql.lower(previous);
            assertEquals(Irql.DISPATCH_LEVEL, Irql.current());
        });
    }
}
