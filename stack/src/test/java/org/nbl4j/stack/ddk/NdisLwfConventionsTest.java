package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.stack.ndis.LinkState;
import org.nbl4j.stack.ndis.NdisMedium;
import org.nbl4j.stack.ndis.Oids;

/**
 * {@link NdisLwf} keeps the facade's conventions: C names in one home only, constants that C drivers can {@code switch}
 * on, and the values of the stack's enums.
 */
class NdisLwfConventionsTest {
    private static Set<String> names(Class<?> facade) {
        return Stream.concat(Arrays.stream(facade.getDeclaredMethods()), Arrays.stream(facade.getDeclaredFields()))
                .filter(member -> Modifier.isPublic(member.getModifiers()) && Modifier.isStatic(member.getModifiers()))
                .map(Member::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    @DisplayName("no name is in NdisLwf and in NdisH or Wdm, so the static on-demand imports compile together")
    void oneHomePerName() {
        Set<String> both = names(NdisLwf.class);
        Set<String> others = names(NdisH.class);
        others.addAll(names(Wdm.class));
        both.retainAll(others);
        assertEquals(Set.of(), both);
    }

    /** A C driver's switch: compiles only because every case label is a compile-time constant. */
    private static String describe(int oid) {
        return switch (oid) {
            case NdisLwf.OID_GEN_STATISTICS -> "statistics";
            case NdisLwf.OID_GEN_LINK_STATE -> "link state";
            case NdisLwf.OID_GEN_CURRENT_PACKET_FILTER -> "packet filter";
            case NdisLwf.OID_GEN_MAXIMUM_FRAME_SIZE -> "frame size";
            default -> "other";
        };
    }

    @Test
    @DisplayName("OID_* and NDIS_STATUS_* are literal constants with ntddndis.h's values, the same in Oids and NdisLwf")
    void oidConstants() throws ReflectiveOperationException {
        assertEquals("statistics", describe(0x00020106));
        assertEquals("link state", describe(0x00010207));
        assertEquals(0x40010017, NdisLwf.NDIS_STATUS_LINK_STATE);
        for (Field field : Oids.class.getFields()) {
            assertEquals(
                    field.get(null), NdisLwf.class.getField(field.getName()).get(null), field.getName());
        }
    }

    @Test
    @DisplayName("the medium and connect-state constants are the values of the stack's NdisMedium and LinkState")
    void pinnedToTheEnums() {
        assertEquals(NdisMedium.MEDIUM_802_3.value(), NdisLwf.NdisMedium802_3);
        assertEquals(NdisMedium.WIRELESS_WAN.value(), NdisLwf.NdisMediumWirelessWan);
        assertEquals(NdisMedium.IP.value(), NdisLwf.NdisMediumIP);
        assertEquals(LinkState.UNKNOWN.ordinal(), NdisLwf.MediaConnectStateUnknown);
        assertEquals(LinkState.CONNECTED.ordinal(), NdisLwf.MediaConnectStateConnected);
        assertEquals(LinkState.DISCONNECTED.ordinal(), NdisLwf.MediaConnectStateDisconnected);
    }
}
