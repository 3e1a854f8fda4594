package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/**
 * {@code LIST_ENTRY}: a link of a doubly linked circular list, embedded in the record it links, with the list head a
 * {@code LIST_ENTRY} of its own. The macros ({@code InitializeListHead}, {@code InsertTailList},
 * {@code RemoveHeadList}, ...) are in {@link Ntddk}.
 *
 * <p>C gets from an entry back to its record with {@code CONTAINING_RECORD(Entry, RECORD, Link)}, which subtracts the
 * field's offset. Java has no offsets, so an embedded entry is created knowing its record:
 * {@code final LIST_ENTRY Link = new LIST_ENTRY(this);} in the record's class, and
 * {@code CONTAINING_RECORD(Entry, RECORD.class)} returns it. A record linked into two lists has two entries, each
 * made with {@code this}. A list head is made with {@code new LIST_ENTRY()}: it belongs to no record.
 */
public final class LIST_ENTRY {
    /** {@code Flink}: the next entry (the head again after the last); {@code NULL} until initialised or linked. */
    public @Nullable LIST_ENTRY Flink;
    /** {@code Blink}: the previous entry. */
    public @Nullable LIST_ENTRY Blink;

    private final @Nullable Object record;

    /** A list head, or an entry whose record nobody will ask for. */
    public LIST_ENTRY() {
        this.record = null;
    }

    /** An entry embedded in {@code containingRecord}, which {@code CONTAINING_RECORD} returns. */
    public LIST_ENTRY(Object containingRecord) {
        this.record = containingRecord;
    }

    /** The record the entry is embedded in, or {@code null} for a head. */
    @Nullable
    Object record() {
        return record;
    }
}
