package org.nbl4j.core.diagnostics;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListInfo;
import org.nbl4j.core.status.NtStatus;

/**
 * Prints NET_BUFFER_LISTs as the WinDbg extension command {@code !ndiskd.nbl} does (§2.2), in the two-column layout
 * of its default view:
 *
 * <pre>
 * NBL                ffffdf80149524a0    Next NBL           NULL
 * First NB           ffffdf8014952610    Source             ffffdf80140c71a0 - Microsoft Kernel Debug Network Adapter
 * Flags              INDICATED, RETURNED, NBL_ALLOCATED, PROTOCOL_020_0, PROTOCOL_200_0
 * </pre>
 *
 * <p>Views: {@link #basic} (the default view, plus the public {@code NblFlags}, {@code Status}, parent, ChildRefCount,
 * pool and kind), {@link #info} ({@code -info}), {@link #data} ({@code -data}), {@link #chain} ({@code -chain}),
 * {@link #parents} (nbl4j's ancestry view) and {@link #dump(NetBufferList, Set)} to combine them as switches do.
 * Where ndiskd prints addresses, the dump prints the ids of its {@link IdNamer}; the DML links of the real command
 * are left out. Dumps only read the NBL (freed NBLs can be dumped; their data may be unavailable in checked mode), and
 * walks stop at a loop, which is reported.
 */
public final class NblDump {
    /** Width of the label columns, as in ndiskd's output. */
    static final int LABEL_WIDTH = 19;
    /** Width of the first value column, as in ndiskd's output. */
    static final int VALUE_WIDTH = 20;

    private final IdNamer ids;
    private final NetBufferDump netBuffers;

    private NblDump(IdNamer ids) {
        this.ids = ids;
        this.netBuffers = new NetBufferDump(ids);
    }

    /** A dump naming objects by identity hash ({@link IdNamer#identityHash()}). */
    public static NblDump create() {
        return new NblDump(IdNamer.identityHash());
    }

    /** A dump naming objects with {@code ids}; {@link IdNamer#sequential()} makes the output reproducible. */
    public static NblDump withIds(IdNamer ids) {
        return new NblDump(ids);
    }

    /**
     * {@code !ndiskd.nbl <nbl>}: the NBL, the next NBL, the first NB, the source handle (id and {@code toString()}),
     * the private {@code Flags} and public {@code NblFlags} by name, the status by name ({@link NtStatus#ndisName}),
     * parent and ChildRefCount, pool and kind.
     */
    public String basic(NetBufferList nbl) {
        StringBuilder out = new StringBuilder();
        out.append(line("NBL", ids.id(nbl), "Next NBL", idOrNull(ids, nbl.next())));
        Object source = nbl.sourceHandle();
        out.append(line(
                "First NB",
                idOrNull(ids, nbl.firstNetBuffer()),
                "Source",
                source == null ? "NULL" : ids.id(source) + " - " + source));
        out.append(line("Flags", NblFlagNames.privateFlags(nbl.flags())));
        out.append(line("NblFlags", NblFlagNames.publicFlags(nbl.nblFlags())));
        out.append(line("Status", NtStatus.ndisName(nbl.status())));
        out.append(line(
                "Parent NBL", idOrNull(ids, nbl.parent()), "ChildRefCount", Integer.toString(nbl.childRefCount())));
        out.append(line("Pool", ids.id(nbl.pool()) + " - " + nbl.pool()));
        out.append(line("Kind", nbl.kind().name()));
        return out.toString();
    }

    /**
     * {@code !ndiskd.nbl <nbl> -info}: every non-zero {@code NetBufferListInfo} slot with its enumerator name, index
     * and raw value, followed by the decoded value (802.1Q fields, cancel id, protocol id or frame type, hash value,
     * hash function and type) or, for a slot holding a reference, its id and {@code toString()}.
     */
    public String info(NetBufferList nbl) {
        StringBuilder out = new StringBuilder(line("NBL", ids.id(nbl)));
        boolean any = false;
        for (NetBufferListInfo slot : NetBufferListInfo.values()) {
            Object reference = nbl.info(slot);
            String raw;
            String decoded;
            if (reference != null) {
                raw = ids.id(reference);
                decoded = reference.toString();
            } else if (nbl.infoValue(slot) != 0) {
                long value = nbl.infoValue(slot);
                raw = "0x%016X".formatted(value);
                decoded = NblInfoDecoder.decode(slot, value);
            } else {
                continue;
            }
            any = true;
            out.append(trimmed("%-38s[%2d]  %-18s  %s".formatted(slot.name(), slot.index(), raw, decoded)));
        }
        if (!any) {
            out.append("No out-of-band information\n");
        }
        return out.toString();
    }

    /**
     * {@code !ndiskd.nbl <nbl> -data}: each NB of the NBL as {@code !ndiskd.nb} shows it (DataOffset, DataLength,
     * CurrentMdl and its offset, ChecksumBias, the MDL chain with byte counts, flags and origins) and a hex dump of its
     * used data, NBs separated by a blank line.
     */
    public String data(NetBufferList nbl) {
        StringBuilder out = new StringBuilder(line("NBL", ids.id(nbl)));
        Walk<NetBuffer> nbs = Walk.of(nbl.firstNetBuffer(), NetBuffer::next);
        if (nbs.items().isEmpty()) {
            out.append(line("First NB", "NULL"));
        }
        for (NetBuffer nb : nbs.items()) {
            out.append('\n');
            netBuffers.append(out, nb);
        }
        if (nbs.loopsTo() != null) {
            out.append('\n').append(line("Loop", "Next NB points back to " + ids.id(nbs.loopsTo())));
        }
        return out.toString();
    }

    /** {@code !ndiskd.nb <nb>}: one NB, its MDL chain and a hex dump of its used data. */
    public String netBuffer(NetBuffer nb) {
        StringBuilder out = new StringBuilder();
        netBuffers.append(out, nb);
        return out.toString();
    }

    /**
     * {@code !ndiskd.nbl <nbl> -chain}: every NBL from {@code nbl} through {@code Next}, each with its status and
     * every NB with DataOffset and DataLength, then the counts.
     */
    public String chain(NetBufferList nbl) {
        StringBuilder out = new StringBuilder();
        Walk<NetBufferList> nbls = Walk.of(nbl, NetBufferList::next);
        int nbCount = 0;
        for (NetBufferList at : nbls.items()) {
            out.append(line("NBL", ids.id(at), "Status", NtStatus.ndisName(at.status())));
            Walk<NetBuffer> nbs = Walk.of(at.firstNetBuffer(), NetBuffer::next);
            for (NetBuffer nb : nbs.items()) {
                out.append(line(
                        "  NET_BUFFER",
                        ids.id(nb),
                        "DataOffset %d, DataLength %d".formatted(nb.dataOffset(), nb.dataLength())));
            }
            if (nbs.loopsTo() != null) {
                out.append(line("  Loop", "Next NB points back to " + ids.id(nbs.loopsTo())));
            }
            nbCount += nbs.items().size();
        }
        if (nbls.loopsTo() != null) {
            out.append(line("Loop", "Next NBL points back to " + ids.id(nbls.loopsTo())));
        }
        out.append(line("Chain", plural(nbls.items().size(), "NBL") + ", " + plural(nbCount, "NET_BUFFER")));
        return out.toString();
    }

    /**
     * nbl4j's ancestry view: the NBL and each {@code ParentNetBufferList} up to the root, with kind and
     * {@code ChildRefCount} (the bookkeeping of ndis-buffers §5.1, which the caller maintains). NBLs record no
     * children, so only their number can be shown.
     */
    public String parents(NetBufferList nbl) {
        StringBuilder out = new StringBuilder();
        Walk<NetBufferList> line = Walk.of(nbl, NetBufferList::parent);
        String label = "NBL";
        for (NetBufferList at : line.items()) {
            out.append(line(label, ids.id(at), "%-13sChildRefCount %d".formatted(at.kind(), at.childRefCount())));
            label = "Parent NBL";
        }
        if (line.loopsTo() != null) {
            out.append(line("Loop", "ParentNetBufferList points back to " + ids.id(line.loopsTo())));
        }
        return out.toString();
    }

    /**
     * {@code !ndiskd.nbl <nbl> [switches]}: the basic view (or the chain with {@link NblDumpOption#CHAIN}), then
     * the ancestry ({@link NblDumpOption#PARENTS}), then the info and data views of each NBL shown
     * ({@link NblDumpOption#INFO}, {@link NblDumpOption#DATA}), sections separated by a blank line.
     */
    public String dump(NetBufferList nbl, Set<NblDumpOption> options) {
        StringBuilder out = new StringBuilder();
        List<NetBufferList> shown;
        if (options.contains(NblDumpOption.CHAIN)) {
            out.append(chain(nbl));
            shown = Walk.of(nbl, NetBufferList::next).items();
        } else {
            out.append(basic(nbl));
            shown = List.of(nbl);
        }
        if (options.contains(NblDumpOption.PARENTS)) {
            out.append('\n').append(parents(nbl));
        }
        for (NetBufferList at : shown) {
            if (options.contains(NblDumpOption.INFO)) {
                out.append('\n').append(info(at));
            }
            if (options.contains(NblDumpOption.DATA)) {
                out.append('\n').append(data(at));
            }
        }
        return out.toString();
    }

    /** {@link #dump(NetBufferList, Set)} with switches as typed after {@code !ndiskd.nbl <nbl>}, e.g. "-info -data". */
    public String dump(NetBufferList nbl, String switches) {
        return dump(nbl, NblDumpOption.parse(switches));
    }

    // ---- layout shared with NetBufferDump ----

    static String idOrNull(IdNamer ids, @Nullable Object object) {
        return object == null ? "NULL" : ids.id(object);
    }

    /** One label and value. */
    static String line(String label, String value) {
        return trimmed(pad(label, LABEL_WIDTH) + value);
    }

    /** A label, a value in the first value column, and free text after it. */
    static String line(String label, String value, String rest) {
        return trimmed(pad(label, LABEL_WIDTH) + pad(value, VALUE_WIDTH) + rest);
    }

    /** Two label-value pairs side by side. */
    static String line(String label, String value, String label2, String value2) {
        return line(label, value, pad(label2, LABEL_WIDTH) + value2);
    }

    private static String pad(String text, int width) {
        return text.length() < width ? text + " ".repeat(width - text.length()) : text + " ";
    }

    private static String trimmed(String line) {
        return line.stripTrailing() + "\n";
    }

    private static String plural(int count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }
}
