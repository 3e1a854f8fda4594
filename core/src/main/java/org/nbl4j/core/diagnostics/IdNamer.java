package org.nbl4j.core.diagnostics;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Gives each object a printable stand-in for the kernel address {@code !ndiskd} and WinDbg print.
 *
 * <p>The debugger identifies an NBL, NB or MDL by its address ({@code ffffdf80149524a0}); a Java object has none, so
 * {@link NblDump} asks an {@code IdNamer} instead. {@link #identityHash()} needs no state but its ids change from run
 * to run; {@link #sequential()} numbers objects in the order it first sees them, which makes a dump reproducible
 * (golden tests use it). Either way an id is 16 lower-case hex digits, like an x64 kernel address.
 */
@FunctionalInterface
public interface IdNamer {

    /** The id of {@code object}; the same object must always get the same id from one namer. */
    String id(Object object);

    /**
     * Ids from {@link System#identityHashCode}: {@code ffff8000} followed by the hash in 8 hex digits. Stateless and
     * safe to share, but not reproducible across runs, and two live objects may (rarely) share an id.
     */
    static IdNamer identityHash() {
        return object -> "ffff8000%08x".formatted(System.identityHashCode(object));
    }

    /**
     * A fresh namer that numbers objects in the order it first sees them: {@code ffff800000001000},
     * {@code ffff800000002000}, and so on. Ids are unique and, for the same sequence of dumps over objects built the
     * same way, identical from run to run. The namer holds every object it has named (by identity), so use one per
     * debugging session rather than one for the life of the program. Not thread-safe.
     */
    static IdNamer sequential() {
        Map<Object, String> ids = new IdentityHashMap<>();
        return object ->
                ids.computeIfAbsent(object, _ -> "%016x".formatted(0xffff800000000000L + 0x1000L * (ids.size() + 1)));
    }
}
