package org.nbl4j.core.status;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The {@code NTSTATUS} and {@code NDIS_STATUS} codes (ntstatus.h, ndis.h, fwpmk.h) returned by the emulated NDIS and
 * WFP APIs and carried in {@code NET_BUFFER_LIST.Status}.
 *
 * <p>Statuses stay raw {@code int}s, as in C: the data path stores them in NBLs and compares them without boxing, and
 * unknown values (a driver may complete an NBL with any code) must survive untouched. An {@code NDIS_STATUS} is an
 * {@code NTSTATUS}, so the {@code NDIS_STATUS_*} names that ndis.h defines as aliases of {@code STATUS_*} values are
 * declared here as those aliases; a value may therefore have two names, one per family, and {@link #name(int)} and
 * {@link #ndisName(int)} differ only in which family they prefer.
 *
 * <p>The values follow §8 of the NDIS buffer specification and §1 of the WFP callout specification. Beware of the
 * look-alikes that ndis.h really has: {@link #NDIS_STATUS_REQUEST_ABORTED} ({@code 0xC001000C}) is not
 * {@link #NDIS_STATUS_SEND_ABORTED} ({@code 0xC023000C}), and {@link #NDIS_STATUS_INVALID_LENGTH} ({@code
 * 0xC0010014}) is not {@link #STATUS_NDIS_INVALID_LENGTH} ({@code 0xC0230014}).
 */
public final class NtStatus {

    // ---- NTSTATUS (ntstatus.h) -------------------------------------------------------------------------------------
    // The public static final int fields below are the single source of the name tables: every one of them is picked
    // up by reflection at class initialisation, so adding a code is one line and cannot drift from name()/valueOf().

    public static final int STATUS_SUCCESS = 0x00000000;
    /** Success, not failure: {@code NT_SUCCESS} is true, the operation completes later. */
    public static final int STATUS_PENDING = 0x00000103;
    /** A wait ended because the waiting thread was alerted (nbl4j: its Java thread was interrupted). */
    public static final int STATUS_ALERTED = 0x00000101;
    /** A wait's time ran out ({@code KeWaitForSingleObject}); a success code. */
    public static final int STATUS_TIMEOUT = 0x00000102;

    /** Informational: the object already exists ({@code FwpsFlowAssociateContext0} with a context already there). */
    public static final int STATUS_OBJECT_NAME_EXISTS = 0x40000000;

    public static final int STATUS_NDIS_INDICATION_REQUIRED = 0x40230001;
    /** A warning (severity 2): negative as an {@code int}, hence not {@code NT_SUCCESS}. */
    public static final int STATUS_BUFFER_OVERFLOW = 0x80000005;

    public static final int STATUS_DEVICE_BUSY = 0x80000011;
    /** A warning: nothing left to return ({@code WdfIoQueueRetrieveNextRequest} on an empty manual queue). */
    public static final int STATUS_NO_MORE_ENTRIES = 0x8000001A;

    public static final int STATUS_UNSUCCESSFUL = 0xC0000001;
    public static final int STATUS_INVALID_HANDLE = 0xC0000008;
    public static final int STATUS_INVALID_PARAMETER = 0xC000000D;
    public static final int STATUS_INVALID_DEVICE_REQUEST = 0xC0000010;
    public static final int STATUS_NO_MEMORY = 0xC0000017;
    public static final int STATUS_INVALID_VIEW_SIZE = 0xC000001F;
    public static final int STATUS_INVALID_FILE_FOR_SECTION = 0xC0000020;
    public static final int STATUS_ACCESS_DENIED = 0xC0000022;
    public static final int STATUS_BUFFER_TOO_SMALL = 0xC0000023;
    public static final int STATUS_OBJECT_TYPE_MISMATCH = 0xC0000024;
    public static final int STATUS_OBJECT_NAME_INVALID = 0xC0000033;
    public static final int STATUS_OBJECT_NAME_NOT_FOUND = 0xC0000034;
    public static final int STATUS_OBJECT_NAME_COLLISION = 0xC0000035;
    public static final int STATUS_OBJECT_PATH_SYNTAX_BAD = 0xC000003B;
    public static final int STATUS_DELETE_PENDING = 0xC0000056;
    public static final int STATUS_INTEGER_OVERFLOW = 0xC0000095;
    public static final int STATUS_INSUFFICIENT_RESOURCES = 0xC000009A;
    public static final int STATUS_DEVICE_NOT_READY = 0xC00000A3;
    public static final int STATUS_FILE_IS_A_DIRECTORY = 0xC00000BA;
    public static final int STATUS_NOT_SUPPORTED = 0xC00000BB;
    public static final int STATUS_CANCELLED = 0xC0000120;
    public static final int STATUS_INVALID_DEVICE_STATE = 0xC0000184;
    public static final int STATUS_INVALID_BUFFER_SIZE = 0xC0000206;
    public static final int STATUS_NOT_FOUND = 0xC0000225;
    public static final int STATUS_REPARSE_POINT_ENCOUNTERED = 0xC000050B;
    public static final int STATUS_HOPLIMIT_EXCEEDED = 0xC000A012;

    public static final int STATUS_NDIS_CLOSING = 0xC0230002;
    public static final int STATUS_NDIS_REQUEST_ABORTED = 0xC023000C;
    public static final int STATUS_NDIS_RESET_IN_PROGRESS = 0xC023000D;
    public static final int STATUS_NDIS_INVALID_PACKET = 0xC023000F;
    public static final int STATUS_NDIS_ADAPTER_NOT_READY = 0xC0230011;
    public static final int STATUS_NDIS_INVALID_LENGTH = 0xC0230014;
    public static final int STATUS_NDIS_INVALID_DATA = 0xC0230015;
    public static final int STATUS_NDIS_BUFFER_TOO_SHORT = 0xC0230016;
    public static final int STATUS_NDIS_MEDIA_DISCONNECTED = 0xC023001F;
    public static final int STATUS_NDIS_PAUSED = 0xC023002A;
    public static final int STATUS_NDIS_INTERFACE_NOT_FOUND = 0xC023002B;
    public static final int STATUS_NDIS_UNSUPPORTED_REVISION = 0xC023002C;
    public static final int STATUS_NDIS_INVALID_PORT = 0xC023002D;
    public static final int STATUS_NDIS_INVALID_PORT_STATE = 0xC023002E;
    public static final int STATUS_NDIS_LOW_POWER_STATE = 0xC023002F;
    public static final int STATUS_NDIS_NOT_SUPPORTED = 0xC02300BB;

    // ---- WFP (ntstatus.h, facility FWP) ----------------------------------------------------------------------------

    public static final int STATUS_FWP_CALLOUT_NOT_FOUND = 0xC0220001;
    public static final int STATUS_FWP_CONDITION_NOT_FOUND = 0xC0220002;
    public static final int STATUS_FWP_FILTER_NOT_FOUND = 0xC0220003;
    public static final int STATUS_FWP_LAYER_NOT_FOUND = 0xC0220004;
    public static final int STATUS_FWP_PROVIDER_NOT_FOUND = 0xC0220005;
    public static final int STATUS_FWP_PROVIDER_CONTEXT_NOT_FOUND = 0xC0220006;
    public static final int STATUS_FWP_SUBLAYER_NOT_FOUND = 0xC0220007;
    public static final int STATUS_FWP_NOT_FOUND = 0xC0220008;
    public static final int STATUS_FWP_ALREADY_EXISTS = 0xC0220009;
    public static final int STATUS_FWP_IN_USE = 0xC022000A;
    public static final int STATUS_FWP_DYNAMIC_SESSION_IN_PROGRESS = 0xC022000B;
    public static final int STATUS_FWP_WRONG_SESSION = 0xC022000C;
    public static final int STATUS_FWP_NO_TXN_IN_PROGRESS = 0xC022000D;
    public static final int STATUS_FWP_TXN_IN_PROGRESS = 0xC022000E;
    public static final int STATUS_FWP_TXN_ABORTED = 0xC022000F;
    public static final int STATUS_FWP_SESSION_ABORTED = 0xC0220010;
    public static final int STATUS_FWP_INCOMPATIBLE_TXN = 0xC0220011;
    public static final int STATUS_FWP_TIMEOUT = 0xC0220012;
    public static final int STATUS_FWP_NET_EVENTS_DISABLED = 0xC0220013;
    public static final int STATUS_FWP_INCOMPATIBLE_LAYER = 0xC0220014;
    public static final int STATUS_FWP_KM_CLIENTS_ONLY = 0xC0220015;
    public static final int STATUS_FWP_LIFETIME_MISMATCH = 0xC0220016;
    public static final int STATUS_FWP_BUILTIN_OBJECT = 0xC0220017;
    public static final int STATUS_FWP_TOO_MANY_CALLOUTS = 0xC0220018;
    public static final int STATUS_FWP_NOTIFICATION_DROPPED = 0xC0220019;
    public static final int STATUS_FWP_TRAFFIC_MISMATCH = 0xC022001A;
    public static final int STATUS_FWP_INCOMPATIBLE_SA_STATE = 0xC022001B;
    public static final int STATUS_FWP_NULL_POINTER = 0xC022001C;
    public static final int STATUS_FWP_INVALID_ENUMERATOR = 0xC022001D;
    public static final int STATUS_FWP_INVALID_FLAGS = 0xC022001E;
    public static final int STATUS_FWP_INVALID_NET_MASK = 0xC022001F;
    public static final int STATUS_FWP_INVALID_RANGE = 0xC0220020;
    public static final int STATUS_FWP_INVALID_INTERVAL = 0xC0220021;
    public static final int STATUS_FWP_ZERO_LENGTH_ARRAY = 0xC0220022;
    public static final int STATUS_FWP_NULL_DISPLAY_NAME = 0xC0220023;
    public static final int STATUS_FWP_INVALID_ACTION_TYPE = 0xC0220024;
    public static final int STATUS_FWP_INVALID_WEIGHT = 0xC0220025;
    public static final int STATUS_FWP_MATCH_TYPE_MISMATCH = 0xC0220026;
    public static final int STATUS_FWP_TYPE_MISMATCH = 0xC0220027;
    public static final int STATUS_FWP_OUT_OF_BOUNDS = 0xC0220028;
    public static final int STATUS_FWP_RESERVED = 0xC0220029;
    public static final int STATUS_FWP_DUPLICATE_CONDITION = 0xC022002A;
    public static final int STATUS_FWP_DUPLICATE_KEYMOD = 0xC022002B;
    public static final int STATUS_FWP_ACTION_INCOMPATIBLE_WITH_LAYER = 0xC022002C;
    public static final int STATUS_FWP_ACTION_INCOMPATIBLE_WITH_SUBLAYER = 0xC022002D;
    public static final int STATUS_FWP_CONTEXT_INCOMPATIBLE_WITH_LAYER = 0xC022002E;
    public static final int STATUS_FWP_CONTEXT_INCOMPATIBLE_WITH_CALLOUT = 0xC022002F;
    public static final int STATUS_FWP_INCOMPATIBLE_AUTH_METHOD = 0xC0220030;
    public static final int STATUS_FWP_INCOMPATIBLE_DH_GROUP = 0xC0220031;
    public static final int STATUS_FWP_EM_NOT_SUPPORTED = 0xC0220032;
    public static final int STATUS_FWP_NEVER_MATCH = 0xC0220033;
    public static final int STATUS_FWP_PROVIDER_CONTEXT_MISMATCH = 0xC0220034;
    public static final int STATUS_FWP_INVALID_PARAMETER = 0xC0220035;
    public static final int STATUS_FWP_TOO_MANY_SUBLAYERS = 0xC0220036;
    public static final int STATUS_FWP_CALLOUT_NOTIFICATION_FAILED = 0xC0220037;
    public static final int STATUS_FWP_INCOMPATIBLE_AUTH_CONFIG = 0xC0220038;
    public static final int STATUS_FWP_INCOMPATIBLE_CIPHER_CONFIG = 0xC0220039;
    public static final int STATUS_FWP_DUPLICATE_AUTH_METHOD = 0xC022003C;
    public static final int STATUS_FWP_TCPIP_NOT_READY = 0xC0220100;
    public static final int STATUS_FWP_INJECT_HANDLE_CLOSING = 0xC0220101;
    public static final int STATUS_FWP_INJECT_HANDLE_STALE = 0xC0220102;
    public static final int STATUS_FWP_CANNOT_PEND = 0xC0220103;

    // ---- NDIS_STATUS (ndis.h) --------------------------------------------------------------------------------------
    // Written as aliases where ndis.h defines them so, so that each value literal appears once.

    public static final int NDIS_STATUS_SUCCESS = STATUS_SUCCESS;
    public static final int NDIS_STATUS_PENDING = STATUS_PENDING;
    public static final int NDIS_STATUS_NOT_RECOGNIZED = 0x00010001;
    public static final int NDIS_STATUS_NOT_COPIED = 0x00010002;
    public static final int NDIS_STATUS_NOT_ACCEPTED = 0x00010003;
    public static final int NDIS_STATUS_INDICATION_REQUIRED = STATUS_NDIS_INDICATION_REQUIRED;
    public static final int NDIS_STATUS_BUFFER_OVERFLOW = STATUS_BUFFER_OVERFLOW;
    public static final int NDIS_STATUS_FAILURE = STATUS_UNSUCCESSFUL;
    public static final int NDIS_STATUS_INVALID_PARAMETER = STATUS_INVALID_PARAMETER;
    public static final int NDIS_STATUS_RESOURCES = STATUS_INSUFFICIENT_RESOURCES;
    public static final int NDIS_STATUS_NOT_SUPPORTED = STATUS_NOT_SUPPORTED;
    public static final int NDIS_STATUS_INVALID_STATE = STATUS_INVALID_DEVICE_STATE;
    public static final int NDIS_STATUS_INVALID_DEVICE_REQUEST = STATUS_INVALID_DEVICE_REQUEST;
    public static final int NDIS_STATUS_CLOSING = 0xC0010002;
    public static final int NDIS_STATUS_BAD_VERSION = 0xC0010004;
    public static final int NDIS_STATUS_BAD_CHARACTERISTICS = 0xC0010005;
    public static final int NDIS_STATUS_ADAPTER_NOT_FOUND = 0xC0010006;
    public static final int NDIS_STATUS_OPEN_FAILED = 0xC0010007;
    public static final int NDIS_STATUS_DEVICE_FAILED = 0xC0010008;
    public static final int NDIS_STATUS_MULTICAST_FULL = 0xC0010009;
    /** Not {@link #NDIS_STATUS_SEND_ABORTED}: that one is {@code 0xC023000C}. */
    public static final int NDIS_STATUS_REQUEST_ABORTED = 0xC001000C;

    public static final int NDIS_STATUS_RESET_IN_PROGRESS = 0xC001000D;
    public static final int NDIS_STATUS_INVALID_PACKET = 0xC001000F;
    public static final int NDIS_STATUS_ADAPTER_NOT_READY = 0xC0010011;
    /** Not {@link #STATUS_NDIS_INVALID_LENGTH}: that one is {@code 0xC0230014}. */
    public static final int NDIS_STATUS_INVALID_LENGTH = 0xC0010014;
    /** What {@code NdisAllocateNetBufferListContext} returns for a size that is not a multiple of the alignment. */
    public static final int NDIS_STATUS_INVALID_DATA = 0xC0010015;
    /** Not {@link #STATUS_NDIS_BUFFER_TOO_SHORT}: that one is {@code 0xC0230016}. */
    public static final int NDIS_STATUS_BUFFER_TOO_SHORT = 0xC0010016;

    public static final int NDIS_STATUS_INVALID_OID = 0xC0010017;
    public static final int NDIS_STATUS_ADAPTER_REMOVED = 0xC0010018;
    public static final int NDIS_STATUS_UNSUPPORTED_MEDIA = 0xC0010019;
    public static final int NDIS_STATUS_FILE_NOT_FOUND = 0xC001001B;
    public static final int NDIS_STATUS_RESOURCE_CONFLICT = 0xC001001E;
    /** The send-completion status of a cancelled send; not {@link #NDIS_STATUS_REQUEST_ABORTED}. */
    public static final int NDIS_STATUS_SEND_ABORTED = STATUS_NDIS_REQUEST_ABORTED;

    public static final int NDIS_STATUS_MEDIA_DISCONNECTED = STATUS_NDIS_MEDIA_DISCONNECTED;
    public static final int NDIS_STATUS_PAUSED = STATUS_NDIS_PAUSED;
    public static final int NDIS_STATUS_INTERFACE_NOT_FOUND = STATUS_NDIS_INTERFACE_NOT_FOUND;
    public static final int NDIS_STATUS_UNSUPPORTED_REVISION = STATUS_NDIS_UNSUPPORTED_REVISION;
    public static final int NDIS_STATUS_INVALID_PORT = STATUS_NDIS_INVALID_PORT;
    public static final int NDIS_STATUS_INVALID_PORT_STATE = STATUS_NDIS_INVALID_PORT_STATE;
    public static final int NDIS_STATUS_LOW_POWER_STATE = STATUS_NDIS_LOW_POWER_STATE;

    // ---- name tables -----------------------------------------------------------------------------------------------

    private static final String NDIS_PREFIX = "NDIS_STATUS_";
    private static final String NT_PREFIX = "STATUS_";

    // Parallel arrays sorted by value, so that naming a known status (done when logging completions on the data path)
    // is a binary search without boxing or allocation.
    private static final int[] VALUES;
    /** Per value: the STATUS_ name if there is one, else the NDIS_STATUS_ name. */
    private static final String[] NT_NAMES;
    /** Per value: the NDIS_STATUS_ name if there is one, else the STATUS_ name. */
    private static final String[] NDIS_NAMES;

    private static final Map<String, Integer> BY_NAME;

    static {
        // value -> {STATUS_ name, NDIS_STATUS_ name}; signed order matches Arrays.binarySearch on int[].
        TreeMap<Integer, String[]> byValue = new TreeMap<>();
        Map<String, Integer> byName = new HashMap<>();
        for (Field field : NtStatus.class.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (field.getType() != int.class
                    || !Modifier.isPublic(modifiers)
                    || !Modifier.isStatic(modifiers)
                    || !Modifier.isFinal(modifiers)) {
                continue;
            }
            String name = field.getName();
            int value;
            try {
                value = field.getInt(null);
            } catch (IllegalAccessException e) {
                throw new AssertionError("own public field " + name + " unreadable", e);
            }
            int family;
            if (name.startsWith(NDIS_PREFIX)) {
                family = 1;
            } else if (name.startsWith(NT_PREFIX)) {
                family = 0;
            } else {
                throw new IllegalStateException("public int constant " + name + " is not a status code name");
            }
            String[] names = byValue.computeIfAbsent(value, _ -> new String[2]);
            // Two names of one family for one value would make name()/ndisName() depend on reflection order, which
            // is unspecified: refuse the table rather than answer arbitrarily.
            if (names[family] != null) {
                throw new IllegalStateException("%s and %s both name 0x%08X".formatted(names[family], name, value));
            }
            names[family] = name;
            byName.put(name, value);
        }
        int n = byValue.size();
        VALUES = new int[n];
        NT_NAMES = new String[n];
        NDIS_NAMES = new String[n];
        int i = 0;
        for (Map.Entry<Integer, String[]> e : byValue.entrySet()) {
            String nt = e.getValue()[0];
            String ndis = e.getValue()[1];
            VALUES[i] = e.getKey();
            NT_NAMES[i] = nt != null ? nt : ndis;
            NDIS_NAMES[i] = ndis != null ? ndis : nt;
            i++;
        }
        BY_NAME = Map.copyOf(byName);
    }

    private NtStatus() {}

    /**
     * The C name of {@code status}, preferring the {@code STATUS_*} (NTSTATUS) name when the value also has an
     * {@code NDIS_STATUS_*} alias; {@code 0x%08X} for a value with no known name.
     */
    public static String name(int status) {
        int i = Arrays.binarySearch(VALUES, status);
        return i >= 0 ? NT_NAMES[i] : hex(status);
    }

    /**
     * The C name of {@code status}, preferring the {@code NDIS_STATUS_*} name when the value has one (the name an NDIS
     * driver would write); {@code 0x%08X} for a value with no known name.
     */
    public static String ndisName(int status) {
        int i = Arrays.binarySearch(VALUES, status);
        return i >= 0 ? NDIS_NAMES[i] : hex(status);
    }

    /**
     * {@code NT_SUCCESS(status)}: true for success and informational codes (including {@link #STATUS_PENDING}), false
     * for warnings (such as {@link #STATUS_BUFFER_OVERFLOW}) and errors, whose severity bits make the int negative.
     */
    public static boolean isSuccess(int status) {
        return status >= 0;
    }

    /**
     * A diagnostic rendering such as {@code NDIS_STATUS_RESOURCES (0xC000009A)}, using {@link #ndisName(int)} since
     * this library reports the NDIS view; just {@code 0x%08X} for a value with no known name, which would otherwise be
     * printed twice.
     */
    public static String describe(int status) {
        int i = Arrays.binarySearch(VALUES, status);
        return i >= 0 ? NDIS_NAMES[i] + " (" + hex(status) + ")" : hex(status);
    }

    /** The value of the constant named {@code name} (any {@code STATUS_*} or {@code NDIS_STATUS_*} name above). */
    public static OptionalInt valueOf(String name) {
        Integer value = BY_NAME.get(name);
        return value != null ? OptionalInt.of(value) : OptionalInt.empty();
    }

    private static String hex(int status) {
        return "0x%08X".formatted(status);
    }
}
