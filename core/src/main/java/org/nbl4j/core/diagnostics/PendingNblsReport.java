package org.nbl4j.core.diagnostics;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.verify.PendingBuffer;
import org.nbl4j.core.verify.Verifier;

/**
 * Prints the outstanding NBLs of a {@link Verifier} ({@link Verifier#pending()}) as the WinDbg extension command
 * {@code !ndiskd.pendingnbls} does (§2.2): three progress lines and a table of who holds each pending NBL.
 *
 * <pre>
 * PHASE 1/3: Found 2 NBL pool tag(s) among pending NBLs
 * PHASE 2/3: Freed NBLs are not tracked; skipped
 * Pending Nbl        Currently held by
 * ffff800000001000   its allocator [OWNED, held 2500.000 ms]
 * ffff800000002000   ffff800000003000 - miniport [SENT, held 2000.000 ms]
 * PHASE 3/3: Found 2 pending NBL(s) of 3 tracked buffer(s)
 * </pre>
 *
 * <p>Adapted where the verifier knows less than NDIS's tracker, which walks every NBL pool:
 *
 * <ul>
 *   <li>Phase 1 counts the distinct pool <em>tags</em> of the pending NBLs: a {@link
 *       org.nbl4j.core.verify.BufferTrack} records its tag, not its pool, and pools without pending NBLs are not seen.
 *   <li>Phase 2 finds nothing: the verifier forgets an NBL once it is freed, so the freed count is not known.
 *   <li>Phase 3 counts the pending NBLs against every buffer the verifier tracks as outstanding (NBLs, NBs from NB
 *       pools and tagged memory), not against all NBLs ever allocated. At STANDARD level only one buffer in {@code
 *       samplingInterval} is tracked, which the line then says.
 *   <li>A pending NBL is named by the id of its {@code BufferTrack}, since the track does not lead back to the NBL.
 *       {@link #sameIdsAsNbls(IdNamer)} makes a namer that gives an NBL the id of its track, so that a dump of the NBL
 *       shows the id in this report.
 *   <li>The bracket after the holder ({@code [SENT, held 2000.000 ms]}) is nbl4j's; ndiskd prints the holder's
 *       handle and name, here the holder's id and {@code toString()}, or {@code its allocator} when the NBL is with
 *       whoever allocated it.
 * </ul>
 *
 * <p>NBLs are recognised among the tracked buffers by their description ({@code NET_BUFFER_LIST[...]}). The rows are in
 * the order of {@link Verifier#pending()}: longest held first.
 */
public final class PendingNblsReport {
    private static final String NBL_DESCRIPTION = "NET_BUFFER_LIST[";

    private final IdNamer ids;

    private PendingNblsReport(IdNamer ids) {
        this.ids = ids;
    }

    /** A report naming objects by identity hash ({@link IdNamer#identityHash()}). */
    public static PendingNblsReport create() {
        return new PendingNblsReport(IdNamer.identityHash());
    }

    /** A report naming objects with {@code ids}; {@link IdNamer#sequential()} makes the output reproducible. */
    public static PendingNblsReport withIds(IdNamer ids) {
        return new PendingNblsReport(ids);
    }

    /**
     * A namer that names an NBL the verifier tracks by its {@code BufferTrack}, and everything else as {@code ids}
     * does: share it between an {@link NblDump} and this report so that both print the same id for an NBL.
     */
    public static IdNamer sameIdsAsNbls(IdNamer ids) {
        return object -> {
            if (object instanceof NetBufferList nbl && nbl.track() != null) {
                return ids.id(nbl.track());
            }
            return ids.id(object);
        };
    }

    /** {@code !ndiskd.pendingnbls} for the verifier of {@code ndis}. */
    public String render(Ndis ndis) {
        return render(ndis.verifier());
    }

    /** {@code !ndiskd.pendingnbls}: the pending NBLs of {@code verifier}, who holds each and for how long. */
    public String render(Verifier verifier) {
        if (!verifier.enabled()) {
            return "The verifier is off: no NBL is tracked (create the Ndis with VerifierSettings.standard() or"
                    + " full(), as ndiskd needs TrackNblOwner)\n";
        }
        List<PendingBuffer> all = verifier.pending();
        List<PendingBuffer> nbls = new ArrayList<>();
        Set<PoolTag> tags = new LinkedHashSet<>();
        for (PendingBuffer pending : all) {
            if (pending.buffer().description().startsWith(NBL_DESCRIPTION)) {
                nbls.add(pending);
                tags.add(pending.buffer().tag());
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("PHASE 1/3: Found ").append(tags.size()).append(" NBL pool tag(s) among pending NBLs\n");
        out.append("PHASE 2/3: Freed NBLs are not tracked; skipped\n");
        out.append(NblDump.line("Pending Nbl", "Currently held by"));
        for (PendingBuffer pending : nbls) {
            out.append(NblDump.line(
                    ids.id(pending.buffer()),
                    NblDump.holder(ids, pending.state(), pending.holder()) + " [" + pending.state() + ", held "
                            + NblDump.millis(pending.held().toNanos()) + "]"));
        }
        out.append("PHASE 3/3: Found ")
                .append(nbls.size())
                .append(" pending NBL(s) of ")
                .append(all.size())
                .append(" tracked buffer(s)");
        if (verifier.settings().samplingInterval() > 1) {
            out.append("; ").append(NblDump.sampling(verifier));
        }
        return out.append('\n').toString();
    }
}
