package org.nbl4j.stack.ddk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nbl4j.stack.ddk.NdisLwf.*;
import static org.nbl4j.stack.ddk.WdmIo.*;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.FieldModel;
import java.lang.reflect.AccessFlag;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.stack.ndis.Oids;

/**
 * C drivers {@code switch} on the facade's constants, so each must be a compile-time constant, and each must have the
 * value of the engine's constant it stands for. Compile-time constness is read from the class files: javac writes a
 * {@code ConstantValue} attribute exactly for a {@code static final} primitive whose initialiser is a constant
 * expression (a literal, or other constants), and for nothing computed by a method or from an enum. The pins compare
 * each {@code *STATUS_*} with the engine's {@link NtStatus} table or its {@link Oids} indication codes, and each OID,
 * request type, packet-filter bit and size with {@link Oids}; {@code FwpConstantsTest} pins the WFP constants, and
 * {@code IrpMajorFunctionsTest} the {@code IRP_MJ_*} codes.
 */
class SwitchableConstantsTest {
    private static final List<Class<?>> FACADE = new ArrayList<>();

    @BeforeAll
    static void importFacade() throws ClassNotFoundException {
        for (JavaClass type : new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(NdisH.class.getPackageName())) {
            if (type.getPackageName().equals(NdisH.class.getPackageName())
                    && type.getModifiers().contains(JavaModifier.PUBLIC)
                    && !type.isNestedClass()) {
                FACADE.add(Class.forName(type.getName()));
            }
        }
    }

    /** Every {@code public static final} primitive field of the facade, by {@code Class.FIELD}. */
    private static Map<String, Field> primitiveConstants() {
        Map<String, Field> constants = new TreeMap<>();
        for (Class<?> type : FACADE) {
            for (Field field : type.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (Modifier.isPublic(modifiers)
                        && Modifier.isStatic(modifiers)
                        && Modifier.isFinal(modifiers)
                        && field.getType().isPrimitive()) {
                    constants.put(type.getSimpleName() + "." + field.getName(), field);
                }
            }
        }
        return constants;
    }

    /** The names of {@code type}'s public static final fields that carry a {@code ConstantValue} attribute. */
    private static Set<String> compileTimeConstants(Class<?> type) throws IOException {
        Set<String> constants = new TreeSet<>();
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            assertNotNull(in, type + "'s class file");
            ClassModel model = ClassFile.of().parse(in.readAllBytes());
            for (FieldModel field : model.fields()) {
                if (field.flags().has(AccessFlag.PUBLIC)
                        && field.flags().has(AccessFlag.STATIC)
                        && field.findAttribute(Attributes.constantValue()).isPresent()) {
                    constants.add(type.getSimpleName() + "." + field.fieldName().stringValue());
                }
            }
        }
        return constants;
    }

    @Test
    @DisplayName("every public static final int (and other primitive) of the facade is a compile-time constant")
    void everyConstantIsCompileTime() throws IOException {
        Map<String, Field> constants = primitiveConstants();
        Set<String> compileTime = new TreeSet<>();
        for (Class<?> type : FACADE) {
            compileTime.addAll(compileTimeConstants(type));
        }
        Set<String> computed = new TreeSet<>(constants.keySet());
        computed.removeAll(compileTime);
        assertEquals(Set.of(), computed, "constants a switch cannot use as a case label");

        // The families C drivers switch on are all here, so the check above covered them.
        for (String family : List.of(
                "Fwpsk.FWPS_LAYER_",
                "Fwpsk.FWPS_FIELD_",
                "Fwpsk.FWP_ACTION_",
                "NdisLwf.OID_",
                "WdmIo.IRP_MJ_",
                "NdisH.NDIS_STATUS_",
                "Fwpsk.STATUS_",
                "WdmIo.STATUS_")) {
            assertTrue(
                    constants.keySet().stream().anyMatch(name -> name.startsWith(family)),
                    () -> "the facade has " + family + "*");
        }
    }

    @Test
    @DisplayName("every STATUS_* and NDIS_STATUS_* of the facade has the engine's value for its name")
    void statusesPinned() throws IllegalAccessException {
        int pinned = 0;
        for (Map.Entry<String, Field> constant : primitiveConstants().entrySet()) {
            String name = constant.getValue().getName();
            if (!name.startsWith("STATUS_") && !name.startsWith("NDIS_STATUS_") || name.contains("_REVISION_")) {
                continue; // NDIS_STATUS_INDICATION_REVISION_1 is a structure revision, not a status
            }
            int value = constant.getValue().getInt(null);
            OptionalInt engine = NtStatus.valueOf(name);
            if (engine.isPresent()) {
                assertEquals(engine.getAsInt(), value, constant.getKey());
            } else {
                // The status indication codes (NDIS_STATUS_LINK_STATE...) are the engine's Oids, not completion codes.
                assertEquals(engineOid(name), value, constant.getKey());
            }
            pinned++;
        }
        assertTrue(pinned >= 80, "pinned " + pinned);
    }

    @Test
    @DisplayName("every OID, request type, packet-filter bit and OID structure size of the facade is the engine's, and"
            + " every one the engine answers is in the facade")
    void oidsPinned() throws ReflectiveOperationException {
        Set<String> engineNames = new TreeSet<>();
        for (Field field : Oids.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
                engineNames.add(field.getName());
                assertEquals(
                        field.getInt(null),
                        NdisLwf.class.getField(field.getName()).getInt(null),
                        "NdisLwf." + field.getName());
            }
        }
        for (Field field : NdisLwf.class.getFields()) {
            String name = field.getName();
            if (name.startsWith("OID_") || name.startsWith("NdisRequest") || name.startsWith("NDIS_PACKET_TYPE_")) {
                assertTrue(engineNames.contains(name), () -> "NdisLwf." + name + " has no engine constant");
            }
        }
        assertTrue(engineNames.contains("OID_GEN_LINK_SPEED"), engineNames::toString);
    }

    private static int engineOid(String name) {
        try {
            return Oids.class.getField(name).getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(name + " is neither an NtStatus nor an Oids constant", e);
        }
    }

    /** An OID request handler as C writes it: compiles only if every case label is a compile-time constant. */
    private static String oidRequest(int requestType, int oid, int status) {
        String type = switch (requestType) {
            case NdisRequestQueryInformation, NdisRequestQueryStatistics -> "query";
            case NdisRequestSetInformation -> "set";
            case NdisRequestMethod -> "method";
            default -> "unknown";
        };
        String what = switch (oid) {
            case OID_GEN_CURRENT_PACKET_FILTER -> "packet filter";
            case OID_GEN_MAXIMUM_FRAME_SIZE -> "frame size";
            case OID_GEN_LINK_SPEED -> "link speed";
            case OID_GEN_STATISTICS -> "statistics";
            case OID_802_3_CURRENT_ADDRESS -> "address";
            default -> "other";
        };
        String result = switch (status) {
            case NdisH.NDIS_STATUS_SUCCESS -> "done";
            case NdisH.NDIS_STATUS_PENDING -> "pending";
            case NdisH.NDIS_STATUS_NOT_SUPPORTED -> "not supported";
            case NdisH.NDIS_STATUS_REQUEST_ABORTED -> "aborted";
            case NDIS_STATUS_LINK_STATE -> "link state";
            default -> "failed";
        };
        return type + " " + what + " " + result;
    }

    /** A dispatch routine as C writes it, over the major function and the device's CTL_CODEs. */
    private static String dispatch(int majorFunction, int ioControlCode) {
        return switch (majorFunction) {
            case IRP_MJ_CREATE, IRP_MJ_CLOSE, IRP_MJ_CLEANUP -> "handle";
            case IRP_MJ_DEVICE_CONTROL ->
                switch (ioControlCode) {
                    case InvertedCallDriver.IOCTL_ECHO -> "echo";
                    case InvertedCallDriver.IOCTL_WAIT -> "wait";
                    default -> "invalid";
                };
            default -> "not handled";
        };
    }

    @Test
    @DisplayName("OIDs, request types, NDIS statuses, IRP_MJ_* and IOCTL codes switch as C switches on them")
    void switchable() {
        assertEquals(
                "query link speed done",
                oidRequest(Oids.NdisRequestQueryInformation, Oids.OID_GEN_LINK_SPEED, NtStatus.NDIS_STATUS_SUCCESS));
        assertEquals(
                "set packet filter aborted",
                oidRequest(
                        Oids.NdisRequestSetInformation,
                        Oids.OID_GEN_CURRENT_PACKET_FILTER,
                        NtStatus.NDIS_STATUS_REQUEST_ABORTED));
        assertEquals("wait", dispatch(0x0e, CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_READ_ACCESS)));
        assertEquals("handle", dispatch(0x12, 0));
    }
}
