package org.nbl4j.core.diagnostics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The elements of a singly linked list (NBL chain, NB list, MDL chain, parent links), stopping at the first element
 * seen twice: a dump must survive the corrupted chains it is used to debug.
 *
 * @param items the elements in order, each once
 * @param loopsTo the element the last one links back to, or {@code null} if the list ends
 */
record Walk<T>(List<T> items, @Nullable T loopsTo) {

    /** Walks from {@code first} through {@code next} until {@code null} or a repeat. */
    static <T> Walk<T> of(@Nullable T first, Function<T, @Nullable T> next) {
        List<T> items = new ArrayList<>();
        Set<T> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (T at = first; at != null; at = next.apply(at)) {
            if (!seen.add(at)) {
                return new Walk<>(items, at);
            }
            items.add(at);
        }
        return new Walk<>(items, null);
    }
}
