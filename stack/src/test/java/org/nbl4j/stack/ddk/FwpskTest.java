package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.Fwpsk.*;

import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.wfp.FilterEngine;
import org.nbl4j.stack.wfp.InjectionHandle;

/** The fwpsk.h face: names, constants re-exported with core's values, and each DDI translating to the engine. */
class FwpskTest {

    private static Set<String> publicNames(Class<?> type) {
        Set<String> names = new HashSet<>();
        Stream.concat(Stream.of(type.getDeclaredMethods()), Stream.of(type.getDeclaredFields()))
                .filter(member -> Modifier.isPublic(member.getModifiers()) && Modifier.isStatic(member.getModifiers()))
                .map(Member::getName)
                .forEach(names::add);
        return names;
    }

    @Test
    @DisplayName("Fwpsk shares no name with NdisH or Wdm, so the three static on-demand imports compile together")
    void oneHomePerName() {
        Set<String> both = new TreeSet<>(publicNames(Fwpsk.class));
        Set<String> others = new HashSet<>(publicNames(NdisH.class));
        others.addAll(publicNames(Wdm.class));
        both.retainAll(others);
        assertEquals(Set.of(), both);
    }

    @Test
    @DisplayName("every STATUS_ constant of Fwpsk has core NtStatus's value")
    void statusCodesFromCore() throws ReflectiveOperationException {
        int checked = 0;
        for (Field field : Fwpsk.class.getFields()) {
            if (field.getName().startsWith("STATUS_")) {
                assertEquals(NtStatus.class.getField(field.getName()).get(null), field.get(null), field.getName());
                checked++;
            }
        }
        assertTrue(checked >= 8);
    }

    @Test
    @DisplayName("buffer DDIs return NTSTATUS and write the out-parameter; failures leave it NULL")
    void bufferFunctions() {
        try (Ndis ndis = Ndis.create();
                FilterEngine engine = new FilterEngine(ndis);
                SystemWfp.Binding _ = SystemWfp.bind(engine)) {
            NetBufferListPool pool =
                    ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, PoolTag.of("Test"), 0));
            assertNotNull(pool);
            MemoryBlock block = ndis.allocateMemoryWithTag(64, PoolTag.of("Tpkt"));
            assertNotNull(block);
            Mdl mdl = ndis.allocateMdl(block.segment(), 64);

            Ref<NetBufferList> nbl = new Ref<>();
            assertEquals(STATUS_INVALID_PARAMETER, FwpsAllocateNetBufferAndNetBufferList0(pool, 8, 0, mdl, 0, 64, nbl));
            assertNull(nbl.value(), "context sizes must be multiples of 16");
            assertEquals(STATUS_SUCCESS, FwpsAllocateNetBufferAndNetBufferList0(pool, 0, 0, mdl, 0, 64, nbl));
            NetBufferList original = nbl.value();
            assertNotNull(original);

            Ref<NetBufferList> deep = new Ref<>();
            assertEquals(STATUS_SUCCESS, FwpsAllocateDeepCloneNetBufferList0(original, null, null, deep));
            NetBufferList clone = deep.value();
            assertNotNull(clone);
            assertSame(original, clone.parent());
            assertEquals(1, original.childRefCount());
            Ref<NetBufferList> shallow = new Ref<>();
            assertEquals(STATUS_INVALID_PARAMETER, FwpsAllocateCloneNetBufferList0(original, null, null, 1, shallow));

            FwpsFreeCloneNetBufferList0(clone, 0);
            assertEquals(0, original.childRefCount(), "without an IP layer the engine decrements it itself");
            FwpsFreeNetBufferList0(original);
            ndis.freeMdl(mdl);
            ndis.freeMemory(block);
            pool.close();
            assertEquals(0, ndis.poolUsage().diff(PoolTag.of("Wfpn")));
        }
    }

    @Test
    @DisplayName("injection handles: unknown families are INVALID_PARAMETER; a foreign NBL is never injected")
    void injection() {
        try (Ndis ndis = Ndis.create();
                FilterEngine engine = new FilterEngine(ndis);
                SystemWfp.Binding _ = SystemWfp.bind(engine)) {
            Ref<InjectionHandle> handle = new Ref<>();
            assertEquals(STATUS_INVALID_PARAMETER, FwpsInjectionHandleCreate0(7, 0, handle));
            assertNull(handle.value());
            assertEquals(STATUS_SUCCESS, FwpsInjectionHandleCreate0(AF_INET, FWPS_INJECTION_TYPE_FORWARD, handle));
            InjectionHandle injection = handle.value();
            assertNotNull(injection);
            NetBufferList foreign = ndis.defaultNetBufferListPool().allocateNetBufferList(0, 0);
            assertNotNull(foreign);
            assertEquals(FWPS_PACKET_NOT_INJECTED, FwpsQueryPacketInjectionState0(injection, foreign, null));
            assertEquals(
                    STATUS_INVALID_PARAMETER,
                    FwpsInjectForwardAsync0(injection, 0, 0, 99, 0, 1, foreign, (c, n, d) -> {}, null));
            assertEquals(
                    STATUS_INVALID_PARAMETER,
                    FwpsInjectForwardAsync0(injection, 0, 0, AF_INET, 0, 1, foreign, (c, n, d) -> {}, null));
            foreign.free();
            assertEquals(STATUS_SUCCESS, FwpsInjectionHandleDestroy0(injection));
            // CLOSING is the answer while a destroy waits for completions; once destroyed the handle is invalid.
            assertEquals(
                    STATUS_INVALID_HANDLE,
                    FwpsInjectForwardAsync0(injection, 0, 0, AF_INET, 0, 1, foreign, (c, n, d) -> {}, null));
        }
    }

    @Test
    @DisplayName("without SystemWfp.bind the handle-less DDIs fail loudly; NdisF* reject what is not a filter handle")
    void bindingsAndHandles() {
        assertThrows(IllegalStateException.class, Fwpsk::FwpsNetBufferListGetTagForContext0);
        assertThrows(IllegalArgumentException.class, () -> NdisH.NdisFPauseComplete(new Object()));
    }
}
