package org.nbl4j.core.diagnostics;

import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.memory.Mdl;

/**
 * One NET_BUFFER as {@code !ndiskd.nb} shows it for {@code !ndiskd.nbl -data}: the data-space fields
 * (ndis-buffers §3.1), the MDL chain with byte counts, flags and origins, and a WinDbg-style hex dump of the used
 * data ({@code [DataOffset, DataOffset + DataLength)}).
 *
 * <p>MDL addresses and {@code ByteOffset} are left out: they are real off-heap addresses and differ from run to run.
 */
final class NetBufferDump {
    private final IdNamer ids;

    NetBufferDump(IdNamer ids) {
        this.ids = ids;
    }

    /** Appends the dump of {@code nb}. */
    void append(StringBuilder out, NetBuffer nb) {
        out.append(NblDump.line("NET_BUFFER", ids.id(nb)));
        out.append(NblDump.line(
                "DataOffset", Integer.toString(nb.dataOffset()), "DataLength", Integer.toString(nb.dataLength())));
        out.append(NblDump.line(
                "CurrentMdl",
                NblDump.idOrNull(ids, nb.currentMdl()),
                "CurrentMdlOffset",
                Integer.toString(nb.currentMdlOffset())));
        out.append(NblDump.line(
                "ChecksumBias", Integer.toString(nb.checksumBias()), "Next NB", NblDump.idOrNull(ids, nb.next())));
        Walk<Mdl> mdls = Walk.of(nb.mdlChain(), Mdl::next);
        if (mdls.items().isEmpty()) {
            out.append(NblDump.line("MDL chain", "NULL"));
        }
        String label = "MDL chain";
        for (Mdl mdl : mdls.items()) {
            out.append(NblDump.line(
                    label,
                    ids.id(mdl),
                    "ByteCount %-8dMdlFlags 0x%04x    Origin %s"
                            .formatted(mdl.byteCount(), mdl.flags(), mdl.origin())));
            label = "";
        }
        if (mdls.loopsTo() != null) {
            out.append(NblDump.line("", "Next MDL loops back to " + ids.id(mdls.loopsTo())));
        }
        byte[] data;
        try {
            data = nb.toByteArray();
        } catch (RuntimeException e) {
            out.append(NblDump.line("Data", "unavailable: " + e.getMessage()));
            return;
        }
        out.append(NblDump.line("Data", data.length + (data.length == 1 ? " byte" : " bytes")));
        HexDump.append(out, "    ", data);
    }
}
