package org.nbl4j.core.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListInfo;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.BufferEvent;
import org.nbl4j.core.verify.BufferTrack;
import org.nbl4j.core.verify.OwnerState;
import org.nbl4j.core.verify.Site;
import org.nbl4j.core.verify.Verifier;

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
 * pool, kind and, with the verifier on, the owner state), {@link #info} ({@code -info}), {@link #data} ({@code -data}),
 * {@link #chain} ({@code -chain}), {@link #parents} (nbl4j's ancestry view), {@link #currentOwner}
 * ({@code -NblCurrentOwner}), {@link #log} ({@code -log}, the NBL's part of {@code !ndiskd.nbllog}) and
 * {@link #dump(NetBufferList, Set)} to combine them as switches do. The last two read the NBL's verifier (the one of
 * the {@link org.nbl4j.core.buffer.Ndis} its pool belongs to), which plays NDIS's NBL tracker ({@code TrackNblOwner}).
 * Where ndiskd prints addresses, the dump prints the ids of its {@link IdNamer}; the DML links of the real command
 * are left out. Dumps only read the NBL (freed NBLs can be dumped; their data may be unavailable in checked mode), and
 * walks stop at a loop, which is reported.
 */
public final class NblDump {
    /** Width of the label columns, as in ndiskd's output. */
    static final int LABEL_WIDTH = 19;
    /** Width of the first value column, as in ndiskd's output. */
    static final int VALUE_WIDTH = 20;
    /** How many events {@link #log} prints, like {@code !ndiskd.nbllog} without {@code -force}. */
    static final int LOG_LIMIT = 200;

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
     * parent and ChildRefCount, pool and kind, and, when the NBL's verifier is on (it keeps the owner state only
     * then), the owner state.
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
        if (verifier(nbl).enabled()) {
            out.append(line("Owner", nbl.ownerState().name()));
        }
        return out.toString();
    }

    /**
     * {@code !ndiskd.nbl <nbl> -NblCurrentOwner}: the owner state, who holds the NBL ({@code its allocator} for an
     * owned NBL with no other holder, {@code its pool} for a freed one; a holder object by id and {@code toString()})
     * and for how long on the verifier's clock, then where it was allocated (and freed). Holder and time are known
     * only for an NBL the verifier tracks (all of them at {@link org.nbl4j.core.verify.VerifierLevel#FULL}, one in
     * {@code samplingInterval} at STANDARD); otherwise the view says why they are missing.
     */
    public String currentOwner(NetBufferList nbl) {
        StringBuilder out = new StringBuilder(line("NBL", ids.id(nbl)));
        Verifier verifier = verifier(nbl);
        if (!verifier.enabled()) {
            out.append(line("Owner state", "not kept: the verifier is off"));
            return out.toString();
        }
        out.append(line("Owner state", nbl.ownerState().name()));
        BufferTrack track = nbl.track();
        if (track == null) {
            out.append(line("Held by", "unknown: the NBL is not tracked (" + sampling(verifier) + ")"));
            return out.toString();
        }
        long now = verifier.settings().nanoClock().getAsLong();
        out.append(line("Held by", holder(ids, track.state(), track.holder())));
        out.append(line("Held for", millis(now - track.sinceNanos())));
        out.append(line("Allocated at", track.allocation().where()));
        Site free = track.free();
        if (free != null && track.state() == OwnerState.FREE) {
            out.append(line("Freed at", free.where()));
        }
        return out.toString();
    }

    /**
     * {@code !ndiskd.nbl <nbl> -log}: the NBL's event log in the columns of {@code !ndiskd.nbllog}, preceded by a
     * {@code Time} column (nbl4j's addition: milliseconds since the first event, on the verifier's clock).
     * {@code Processor} is the thread's name plus {@code , IRQL=DPC} at DISPATCH_LEVEL ({@code , IRQL=APC} at
     * APC_LEVEL); {@code Event} is the event's name; {@code Detail} is the holder or hint, then {@code at} and the
     * innermost caller frame. At most {@value #LOG_LIMIT} events are printed, as ndiskd does without {@code -force}.
     * An NBL without a log (verifier off, NBL not sampled, or a level below FULL, ndiskd's {@code TrackNblOwner < 3})
     * gets a line saying so.
     */
    public String log(NetBufferList nbl) {
        StringBuilder out = new StringBuilder(line("NBL", ids.id(nbl)));
        Verifier verifier = verifier(nbl);
        BufferTrack track = nbl.track();
        if (!verifier.enabled()) {
            return out.append(line("Log", "none: the verifier is off (use VerifierLevel.FULL)"))
                    .toString();
        }
        if (track == null) {
            return out.append(line(
                            "Log", "none: the NBL is not tracked (" + sampling(verifier) + "; use VerifierLevel.FULL)"))
                    .toString();
        }
        List<BufferEvent> events = track.events();
        if (events.isEmpty()) {
            return out.append(line("Log", "none: event logs are kept only at VerifierLevel.FULL"))
                    .toString();
        }
        String id = ids.id(nbl);
        long start = events.getFirst().nanos();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Time", "NBLs", "Processor", "Event", "Detail"});
        for (BufferEvent event : events.subList(0, Math.min(events.size(), LOG_LIMIT))) {
            rows.add(new String[] {
                "+" + millis(event.nanos() - start), id, processor(event), event.event(), detail(event)
            });
        }
        int[] widths = new int[rows.getFirst().length - 1];
        for (String[] row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length() + 2);
            }
        }
        for (String[] row : rows) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                text.append(row[i]).append(" ".repeat(widths[i] - row[i].length()));
            }
            out.append(trimmed(text.append(row[widths.length]).toString()));
        }
        if (events.size() > LOG_LIMIT) {
            out.append("Maximum of " + LOG_LIMIT + " events printed; quitting early.\n");
        }
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
     * the ancestry ({@link NblDumpOption#PARENTS}), then for each NBL shown its info, data, current-owner and log views
     * ({@link NblDumpOption#INFO}, {@link NblDumpOption#DATA}, {@link NblDumpOption#CURRENT_OWNER},
     * {@link NblDumpOption#LOG}), sections separated by a blank line.
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
            if (options.contains(NblDumpOption.CURRENT_OWNER)) {
                out.append('\n').append(currentOwner(at));
            }
            if (options.contains(NblDumpOption.LOG)) {
                out.append('\n').append(log(at));
            }
        }
        return out.toString();
    }

    /** {@link #dump(NetBufferList, Set)} with switches as typed after {@code !ndiskd.nbl <nbl>}, e.g. "-info -data". */
    public String dump(NetBufferList nbl, String switches) {
        return dump(nbl, NblDumpOption.parse(switches));
    }

    // ---- verifier views ----

    private static Verifier verifier(NetBufferList nbl) {
        return nbl.pool().ndis().verifier();
    }

    /** How the verifier samples, for the line explaining why an NBL is not tracked. */
    static String sampling(Verifier verifier) {
        int interval = verifier.settings().samplingInterval();
        return "the verifier tracks 1 buffer in " + interval;
    }

    /** Who holds a tracked buffer: {@code its pool} when free, {@code its allocator}, or the holder's id and name. */
    static String holder(IdNamer ids, OwnerState state, @Nullable Object holder) {
        if (state == OwnerState.FREE) {
            return "its pool";
        }
        return holder == null ? "its allocator" : ids.id(holder) + " - " + holder;
    }

    /** A duration in milliseconds with microseconds: {@code 2500.125 ms}. */
    static String millis(long nanos) {
        long micros = nanos / 1_000;
        return "%d.%03d ms".formatted(micros / 1_000, Math.abs(micros % 1_000));
    }

    private static String processor(BufferEvent event) {
        return event.thread()
                + switch (event.irql()) {
                    case HIGH_LEVEL -> ", IRQL=HIGH";
                    case DISPATCH_LEVEL -> ", IRQL=DPC";
                    case APC_LEVEL -> ", IRQL=APC";
                    case PASSIVE_LEVEL -> "";
                };
    }

    private static String detail(BufferEvent event) {
        String text = event.detail();
        String hint = event.site().hint();
        if (text == null && hint != null && !hint.equals(event.event())) {
            text = hint;
        }
        String where = "at " + event.site().where();
        return text == null ? where : text + ", " + where;
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
