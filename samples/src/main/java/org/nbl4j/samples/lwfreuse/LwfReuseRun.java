package org.nbl4j.samples.lwfreuse;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.buffer.NetBufferList;
import org.nbl4j.core.diagnostics.NblDump;
import org.nbl4j.core.diagnostics.NblDumpOption;
import org.nbl4j.core.memory.PoolUsageSnapshot;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Rule;
import org.nbl4j.core.verify.VerifierSettings;
import org.nbl4j.core.verify.Violation;
import org.nbl4j.core.verify.ViolationPolicy;
import org.nbl4j.samples.SamplePackets;
import org.nbl4j.stack.ddk.SystemNdis;
import org.nbl4j.stack.ndis.MemoryMiniport;
import org.nbl4j.stack.router.Router;
import org.nbl4j.stack.wfp.PlatformProfile;
import org.nbl4j.stack.wfp.WfpInfoContainers;

/**
 * Runs one variant of the seed-001 filter on a host: a {@link Router} with the filter engine of {@code profile}
 * (so Windows 10 stacks the WFP lightweight filter below the sample), one adapter over a {@link MemoryMiniport}, the
 * {@link LwfReuseDriver} loaded (its {@code DriverEntry} attaches a module to the adapter, on top of the stack), and
 * {@code sends} packets originated by the module, polled on the calling thread; then {@code DriverUnload}. The
 * verifier runs at full level and collects violations instead of throwing, so the whole run is reported.
 */
public final class LwfReuseRun {
    /** The driver's service key, as {@code DriverEntry}'s {@code RegistryPath}. */
    public static final String REGISTRY_PATH =
            "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\" + LwfReuseDriver.FILTER_SERVICE_NAME;
    /** Receive-queue service budget per poll. */
    private static final int POLL_BUDGET = 256;
    /** Polls allowed while waiting for a send NBL to come back: the miniport completes on its next service. */
    private static final int MAX_POLLS_PER_SEND = 16;

    /** The two drivers of the sample. */
    public enum Variant {
        /** As posted: recycles its NBLs. */
        RECYCLING(RecyclingLwf::new),
        /** The fix: frees and reallocates. */
        CORRECTED(CorrectedLwf::new);

        /** What the driver's {@code FilterAttach} allocates as the module context. */
        final PreallocatingLwf.Allocator allocator;

        Variant(PreallocatingLwf.Allocator allocator) {
            this.allocator = allocator;
        }
    }

    /**
     * What a run shows.
     *
     * @param sent packets the miniport put on the wire
     * @param poolsBefore poolmon once the host is up, before the first send
     * @param poolsAfterDrain poolmon once every send has completed, the module still attached
     * @param poolsAtShutdown poolmon after the host is torn down (the module detached and its NBLs freed), before
     *     NDIS shuts down
     * @param violations what the verifier reported during the run
     * @param shutdownNotes what NDIS noted when it shut down (leaks by tag and site)
     * @param nextNblDump {@code !ndiskd.nbl -info -log} of the NBL the next send would have used, taken after the drain
     */
    public record Report(
            Variant variant,
            PlatformProfile profile,
            int preallocated,
            long sent,
            PoolUsageSnapshot poolsBefore,
            PoolUsageSnapshot poolsAfterDrain,
            PoolUsageSnapshot poolsAtShutdown,
            List<Violation> violations,
            List<Violation> shutdownNotes,
            String nextNblDump) {

        /** The {@code Wfpn} outstanding once every send completed, compared with before the first. */
        public long wfpnGrowth() {
            return poolsAfterDrain.diff(WfpInfoContainers.TAG) - poolsBefore.diff(WfpInfoContainers.TAG);
        }

        /** The {@code Wfpn} still outstanding after the module freed its NBLs at detach: the leak proper. */
        public long wfpnLeakedAtShutdown() {
            return poolsAtShutdown.diff(WfpInfoContainers.TAG);
        }
    }

    private LwfReuseRun() {}

    /**
     * Runs {@code variant} under {@code profile}: {@code preallocated} NBLs in the module's queue, {@code sends}
     * packets sent.
     */
    public static Report run(Variant variant, PlatformProfile profile, int preallocated, int sends) {
        Ndis ndis = Ndis.create(VerifierSettings.full().withPolicy(ViolationPolicy.COLLECT));
        try (SystemNdis.Binding _ = SystemNdis.bind(ndis)) {
            MemoryMiniport wire = MemoryMiniport.builder().name("wire0").build();
            Router router = Router.create(ndis);
            LwfReuseDriver driver = new LwfReuseDriver(variant, preallocated);
            PoolUsageSnapshot before;
            PoolUsageSnapshot afterDrain;
            String dump;
            List<Violation> violations;
            try {
                router.useFilterEngine(profile);
                router.addInterface(1, "wire0", wire, List.of(), false);
                int status = driver.DriverEntry(ndis, REGISTRY_PATH);
                if (status != NtStatus.NDIS_STATUS_SUCCESS) {
                    throw new IllegalStateException("DriverEntry failed: " + NtStatus.describe(status));
                }
                PreallocatingLwf module = driver.FilterModules().getFirst();
                before = ndis.poolUsage();
                sendAll(router, module, sends);
                router.drain();
                afterDrain = ndis.poolUsage();
                NetBufferList next = module.nextSendNetBufferList();
                dump = next == null
                        ? "(no NBL waiting)"
                        : NblDump.create().dump(next, Set.of(NblDumpOption.INFO, NblDumpOption.LOG));
                violations = ndis.verifier().violations();
            } finally {
                try {
                    driver.DriverUnload();
                } finally {
                    router.close();
                }
            }
            PoolUsageSnapshot atShutdown = ndis.poolUsage();
            ndis.close();
            List<Violation> all = ndis.verifier().violations();
            return new Report(
                    variant,
                    profile,
                    preallocated,
                    wire.statistics().sentPackets(),
                    before,
                    afterDrain,
                    atShutdown,
                    violations,
                    List.copyOf(all.subList(violations.size(), all.size())),
                    dump);
        } finally {
            ndis.close();
        }
    }

    /**
     * Has the module send {@code sends} IPv4 UDP packets (192.0.2.1 to 198.51.100.1), each a 28-byte header and a
     * lookahead of payload as the thread's send path copies them; when every NBL is in flight, polls the adapter so
     * the miniport completes them.
     */
    private static void sendAll(Router router, PreallocatingLwf module, int sends) {
        byte[] packet = SamplePackets.ipv4Udp("192.0.2.1", "198.51.100.1", 64, 0, new byte[64]);
        int headerSize = 28;
        MemorySegment header = MemorySegment.ofArray(packet).asSlice(0, headerSize);
        MemorySegment lookahead = MemorySegment.ofArray(packet).asSlice(headerSize);
        for (int i = 0; i < sends; i++) {
            int status = module.SendPacket(header, headerSize, lookahead, (int) lookahead.byteSize());
            for (int polls = 0; status == NtStatus.NDIS_STATUS_RESOURCES && polls < MAX_POLLS_PER_SEND; polls++) {
                router.pollAll(POLL_BUDGET);
                status = module.SendPacket(header, headerSize, lookahead, (int) lookahead.byteSize());
            }
            if (status != NtStatus.NDIS_STATUS_SUCCESS) {
                throw new IllegalStateException("send " + i + " failed: " + NtStatus.describe(status));
            }
        }
    }

    /** The first violation of {@code rule} in {@code violations}, or {@code null}. */
    public static @Nullable Violation first(List<Violation> violations, Rule rule) {
        for (Violation violation : violations) {
            if (violation.rule() == rule) {
                return violation;
            }
        }
        return null;
    }
}
