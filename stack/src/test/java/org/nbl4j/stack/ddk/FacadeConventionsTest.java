package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.buffer.CloneFlags;
import org.nbl4j.core.buffer.NblFlags;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferListInfo;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.buffer.NetBufferPoolParameters;
import org.nbl4j.core.memory.Mdl;
import org.nbl4j.core.memory.MemoryBlock;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.status.NtStatus;

/**
 * Keeps the facade honest: C names only, constants re-exported from core with core's values, one home per name,
 * C structures converted with their C widths, and handles resolved to the right NDIS instance.
 */
class FacadeConventionsTest {
    /** NdisH functions whose C names do not start with Ndis, NET_ or NDIS_; each is documented where defined. */
    private static final Set<String> OTHER_C_NAMES = Set.of("CONTEXT_BUFFER_SIZE");

    private static List<Method> publicStaticMethods(Class<?> type) {
        List<Method> methods = new ArrayList<>();
        for (Method method : type.getDeclaredMethods()) {
            if (Modifier.isPublic(method.getModifiers()) && Modifier.isStatic(method.getModifiers())) {
                methods.add(method);
            }
        }
        return methods;
    }

    private static List<Field> publicConstants(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers)) {
                fields.add(field);
            }
        }
        return fields;
    }

    private static Object exported(Class<?> facade, String name) throws ReflectiveOperationException {
        Field field = facade.getField(name);
        assertTrue(Modifier.isStatic(field.getModifiers()) && Modifier.isFinal(field.getModifiers()), name);
        return field.get(null);
    }

    @Test
    @DisplayName("every public function of NdisH has an ndis.h name: Ndis*, NET_*, NDIS_* or a listed C macro")
    void ndisHNames() {
        List<String> foreign = publicStaticMethods(NdisH.class).stream()
                .map(Method::getName)
                .filter(name -> !name.startsWith("Ndis")
                        && !name.startsWith("NET_")
                        && !name.startsWith("NDIS_")
                        && !OTHER_C_NAMES.contains(name))
                .toList();
        assertEquals(List.of(), foreign);
        assertTrue(publicStaticMethods(NdisH.class).size() > 80, "the facade is there to be checked");
    }

    @Test
    @DisplayName("every public function of Wdm has a wdm.h/ntdef.h name: Ke*, Mm*, Rtl*, Read*Acquire, Write*Release or"
            + " NT_SUCCESS")
    void wdmNames() {
        List<String> foreign = publicStaticMethods(Wdm.class).stream()
                .map(Method::getName)
                .filter(name -> !name.startsWith("Ke")
                        && !name.startsWith("Mm")
                        && !name.startsWith("Rtl")
                        && !(name.startsWith("Read") && name.endsWith("Acquire"))
                        && !(name.startsWith("Write") && name.endsWith("Release"))
                        && !name.equals("NT_SUCCESS"))
                .toList();
        assertEquals(List.of(), foreign);
    }

    @Test
    @DisplayName("no name is in both NdisH and Wdm, so both static on-demand imports compile together")
    void oneHomePerName() {
        Set<String> ndisH = new HashSet<>();
        Stream.concat(publicStaticMethods(NdisH.class).stream(), publicConstants(NdisH.class).stream())
                .map(Member::getName)
                .forEach(ndisH::add);
        Set<String> both = new TreeSet<>();
        Stream.concat(publicStaticMethods(Wdm.class).stream(), publicConstants(Wdm.class).stream())
                .map(Member::getName)
                .filter(ndisH::contains)
                .forEach(both::add);
        assertEquals(Set.of(), both);
    }

    @Test
    @DisplayName("§8: every NDIS_STATUS_ of core NtStatus is in NdisH with the same value")
    void statusCodes() throws ReflectiveOperationException {
        int checked = 0;
        for (Field field : publicConstants(NtStatus.class)) {
            if (field.getType() == int.class && field.getName().startsWith("NDIS_STATUS_")) {
                assertEquals(field.get(null), exported(NdisH.class, field.getName()), field.getName());
                checked++;
            }
        }
        assertEquals(40, checked, "the §8 table");
        assertEquals(0xC0010015, NdisH.NDIS_STATUS_INVALID_DATA);
    }

    @Test
    @DisplayName("§4.2, §5.2, §3.10, §4.6: core's C-named constants are re-exported with core's values")
    void coreConstants() throws ReflectiveOperationException {
        for (Class<?> core : List.of(
                NblFlags.class, CloneFlags.class, NetBufferListPoolParameters.class, NetBufferPoolParameters.class)) {
            for (Field field : publicConstants(core)) {
                String name = field.getName();
                if (name.startsWith("NDIS_") || name.startsWith("NBL_FLAGS_") || name.startsWith("NET_BUFFER_")) {
                    assertEquals(field.get(null), exported(NdisH.class, name), name);
                }
            }
        }
        assertEquals(0x80, NdisH.NDIS_OBJECT_TYPE_DEFAULT);
        for (String name : List.of(
                "MDL_MAPPED_TO_SYSTEM_VA", "MDL_SOURCE_IS_NONPAGED_POOL", "MDL_PARTIAL", "MDL_NETWORK_HEADER")) {
            assertEquals(Mdl.class.getField(name).get(null), exported(Wdm.class, name), name);
        }
        assertEquals(16, Wdm.MEMORY_ALLOCATION_ALIGNMENT);
    }

    @Test
    @DisplayName("§4.4: every info slot id and its alias name the core enum constant")
    void infoIds() throws ReflectiveOperationException {
        for (NetBufferListInfo slot : NetBufferListInfo.values()) {
            assertSame(slot, exported(NdisH.class, slot.name()));
            if (!slot.alias().isEmpty()) {
                assertSame(slot, exported(NdisH.class, slot.alias()), slot.alias());
            }
        }
        assertEquals(27, NdisH.MaxNetBufferListInfo);
    }

    @Test
    @DisplayName("§1: a C multi-character tag keeps its C value; poolmon reads it forward")
    void tags() {
        assertEquals(('o' << 24) | ('o' << 16) | ('P' << 8) | 'F', CLiteral.tag("ooPF"));
        assertEquals("FPoo", new PoolTag(CLiteral.tag("ooPF")).toString());
        assertEquals(PoolTag.fromLiteral("tliF").value(), CLiteral.tag("tliF"));
        assertThrows(IllegalArgumentException.class, () -> CLiteral.tag("abc"));
        assertThrows(IllegalArgumentException.class, () -> CLiteral.tag("ab\u0001c"));
    }

    @Test
    @DisplayName("CONTEXT_BUFFER_SIZE rounds up to MEMORY_ALLOCATION_ALIGNMENT")
    void contextBufferSize() {
        assertEquals(0, NdisH.CONTEXT_BUFFER_SIZE(0));
        assertEquals(16, NdisH.CONTEXT_BUFFER_SIZE(1));
        assertEquals(16, NdisH.CONTEXT_BUFFER_SIZE(16));
        assertEquals(32, NdisH.CONTEXT_BUFFER_SIZE(17));
    }

    @Test
    @DisplayName("the C structures convert with their C widths; revision 2 carries Flags; zeroing clears everything")
    void structures() {
        try (Ndis ndis = Ndis.create()) {
            NET_BUFFER_LIST_POOL_PARAMETERS p = new NET_BUFFER_LIST_POOL_PARAMETERS();
            p.Header.Type = 0x180; // a UCHAR keeps 0x80
            p.Header.Revision = NdisH.NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2;
            p.Header.Size = NdisH.NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_2;
            p.ProtocolId = 0x102;
            p.ContextSize = 0x10008;
            p.PoolTag = CLiteral.tag("2loP");
            p.Flags = NdisH.NET_BUFFER_LIST_POOL_FLAG_VERIFY;
            NetBufferListPool pool = NdisH.NdisAllocateNetBufferListPool(ndis, p);
            assertNotNull(pool);
            assertEquals(0x02, pool.parameters().protocolId());
            assertEquals(8, pool.parameters().contextSize());
            assertTrue(pool.parameters().verify(), "revision 2 with NET_BUFFER_LIST_POOL_FLAG_VERIFY");
            NdisH.NdisFreeNetBufferListPool(pool);

            p.ContextSize = 12;
            assertNull(NdisH.NdisAllocateNetBufferListPool(ndis, p), "§4.6: ContextSize % 8 != 0");
            p.ContextSize = 0;
            p.DataSize = 64;
            assertNull(NdisH.NdisAllocateNetBufferListPool(ndis, p), "§4.6: DataSize without fAllocateNetBuffer");

            assertEquals(20, p.sizeof());
            assertThrows(IllegalArgumentException.class, () -> NdisH.NdisZeroMemory(p, 16));
            NdisH.NdisZeroMemory(p, p.sizeof());
            assertEquals(0, p.Header.Type + p.Header.Revision + p.Header.Size + p.ProtocolId + p.ContextSize);
            assertEquals(0, p.PoolTag | p.DataSize | p.Flags);
            assertFalse(p.fAllocateNetBuffer);

            NET_BUFFER_POOL_PARAMETERS nbp = new NET_BUFFER_POOL_PARAMETERS();
            nbp.PoolTag = 1;
            nbp.Header.Type = 1;
            assertEquals(16, nbp.sizeof());
            NdisH.NdisZeroMemory(nbp, nbp.sizeof());
            assertEquals(0, nbp.PoolTag | nbp.Header.Type);
        }
    }

    @Test
    @DisplayName("NDIS handles: an NdisHandle, a core Ndis, or NULL for the thread's SystemNdis; nothing else")
    void handles() throws InterruptedException {
        try (Ndis first = Ndis.create();
                Ndis second = Ndis.create()) {
            NdisHandle filterHandle = () -> second;
            MemoryBlock viaHandle = NdisH.NdisAllocateMemoryWithTagPriority(filterHandle, 8, 1, 0);
            MemoryBlock viaNdis = NdisH.NdisAllocateMemoryWithTagPriority(first, 8, 1, 0);
            assertNotNull(viaHandle);
            assertNotNull(viaNdis);
            assertSame(second.memory(), viaHandle.owner());
            assertSame(first.memory(), viaNdis.owner());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> NdisH.NdisAllocateMemoryWithTagPriority("not a handle", 8, 1, 0));
            assertThrows(
                    IllegalStateException.class,
                    () -> NdisH.NdisAllocateMemoryWithTagPriority(null, 8, 1, 0),
                    "NULL handle on an unbound thread");
            assertThrows(IllegalArgumentException.class, () -> NdisH.NdisFreeMemory(viaNdis, 8, 1), "flags 0");
            NdisH.NdisFreeMemory(viaHandle, 8, 0);
            NdisH.NdisFreeMemoryWithTagPriority(first, viaNdis, 1);

            try (SystemNdis.Binding _ = SystemNdis.bind(first)) {
                assertSame(first, SystemNdis.current());
                try (SystemNdis.Binding _ = SystemNdis.bind(second)) {
                    MemoryBlock viaNull = NdisH.NdisAllocateMemoryWithTagPriority(null, 8, 1, 0);
                    assertNotNull(viaNull);
                    assertSame(second.memory(), viaNull.owner());
                    NdisH.NdisFreeMemory(viaNull, 0, 0);
                    AtomicReference<Ndis> inherited = new AtomicReference<>();
                    Thread child = Thread.ofPlatform().start(() -> inherited.set(SystemNdis.current()));
                    child.join(10_000);
                    assertSame(second, inherited.get(), "a thread started by a bound thread inherits");
                }
                assertSame(first, SystemNdis.current(), "closing a binding restores the previous one");
                Ref<MemoryBlock> none = new Ref<>();
                assertEquals(NdisH.NDIS_STATUS_FAILURE, NdisH.NdisAllocateMemoryWithTag(none, 0, 1));
                assertNull(none.value());
            }
            assertThrows(IllegalStateException.class, SystemNdis::current);
        }
    }
}
