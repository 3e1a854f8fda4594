package org.nbl4j.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBuffer;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.buffer.NetBufferListPool;
import org.nbl4j.core.buffer.NetBufferListPoolParameters;
import org.nbl4j.core.diagnostics.NblDump;
import org.nbl4j.core.diagnostics.PoolmonTable;
import org.nbl4j.core.memory.PoolTag;
import org.nbl4j.core.memory.PoolUsageSnapshot;
import org.nbl4j.core.status.NtStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nbl4j demo buffers}: one packet through the NET_BUFFER_LIST model — data-pool allocation, retreats, a
 * clone, a fragment, and the pool accounting going back to zero when everything is freed.
 */
@Command(
        name = "buffers",
        mixinStandardHelpOptions = true,
        description = "Allocate, retreat, clone and fragment one packet, then show that every pool tag returns to 0.")
final class BufferDemo implements Callable<Integer> {
    private static final PoolTag DEMO_TAG = PoolTag.of("Demo");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--checked", description = "Checked mode: freed memory becomes inaccessible.")
    boolean checked;

    @Option(
            names = "--payload",
            description = "Payload text of the packet (default: ${DEFAULT-VALUE}).",
            defaultValue = "nbl4j: a payload that will be cloned and fragmented")
    String payload = "";

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Ndis ndis = checked ? Ndis.createChecked() : Ndis.create()) {
            NetBufferListPool pool =
                    ndis.allocateNetBufferListPool(NetBufferListPoolParameters.of(0, true, 0, DEMO_TAG, 2048));
            if (pool == null) {
                throw new IllegalStateException("the demo's pool parameters were refused");
            }
            NetBufferList nbl = pool.allocateNetBufferList(0, 0);
            if (nbl == null || nbl.firstNetBuffer() == null) {
                out.println("allocation failed");
                return 1;
            }
            NetBuffer nb = nbl.firstNetBuffer();
            out.printf("NdisAllocateNetBufferList from a data pool: %s (all 2048 bytes are headroom)%n", nb);

            byte[] body = payload.getBytes(StandardCharsets.US_ASCII);
            report(out, "retreat for the payload", nb.retreat(body.length, 0, null), nb);
            nb.write(0, body);
            byte[] header = "HDR:".getBytes(StandardCharsets.US_ASCII);
            report(out, "retreat for a header", nb.retreat(header.length, 0, null), nb);
            nb.write(0, header);
            out.print(NblDump.create().dump(nbl, "-data"));

            NetBufferList clone = nbl.allocateClone(null, null, 0);
            if (clone == null || clone.firstNetBuffer() == null) {
                out.println("clone failed");
                return 1;
            }
            clone.setParent(nbl);
            nbl.incrementChildRefCount();
            out.printf(
                    "NdisAllocateCloneNetBufferList: %s shares the data through partial MDLs, no headroom%n",
                    clone.firstNetBuffer());

            NetBufferList fragments = nbl.allocateFragment(null, null, header.length, 16, 8, 0, 0);
            if (fragments == null) {
                out.println("fragment failed");
                return 1;
            }
            int count = 0;
            for (NetBuffer fragment = fragments.firstNetBuffer(); fragment != null; fragment = fragment.next()) {
                count++;
            }
            out.printf(
                    "NdisAllocateFragmentNetBufferList: %d fragments of at most 16 bytes, each with 8 bytes of"
                            + " header space%n",
                    count);

            printPoolUsage(out, "while the packet, its clone and its fragments are held", ndis.poolUsage());

            fragments.freeFragment(8, 0);
            clone.freeClone(0);
            nbl.decrementChildRefCount();
            nbl.free();
            pool.close();

            PoolUsageSnapshot after = ndis.poolUsage();
            printPoolUsage(out, "after every free", after);
            boolean clean = after.outstanding().isEmpty();
            out.println(clean ? "verdict: every tag is back to 0" : "verdict: LEAK " + after.outstanding());
            return clean ? 0 : 2;
        }
    }

    private static void report(PrintWriter out, String what, int status, NetBuffer nb) {
        out.printf("%s: %s, %s%n", what, NtStatus.describe(status), nb);
    }

    private static void printPoolUsage(PrintWriter out, String when, PoolUsageSnapshot snapshot) {
        out.printf("poolmon %s:%n", when);
        out.print(PoolmonTable.create().render(snapshot));
    }
}
