package org.nbl4j.io.tun;

/**
 * The offloads of a TUN device: whether packets carry a {@link VirtioNetHeader} ({@code IFF_VNET_HDR}) and which
 * {@code TUN_F_*} features ({@code TUNSETOFFLOAD}, linux/if_tun.h) the reader declares it can take. The features say
 * what the kernel may hand to nbl4j: with {@code TUN_F_CSUM} packets whose checksum is left partial, with
 * {@code TUN_F_TSO4}/{@code TUN_F_TSO6} TCP super-packets of up to 64 KiB, with {@code TUN_F_USO4}/{@code TUN_F_USO6}
 * UDP ones. Writing such packets to the kernel needs only the header.
 *
 * <p>As requested, an instance lists what to ask for; as {@link TunDevice#offloads()} returns it, what the kernel
 * granted. The kernel refuses TSO without CSUM and USO on kernels before 6.2 ({@code EINVAL}); {@link TunDevice}
 * then asks again with less, dropping USO first and then TSO, and reports what it got.
 *
 * @param virtioHeader whether packets carry a virtio-net header
 * @param features {@code TUN_F_*} bits; 0 without a header
 */
public record TunOffloads(boolean virtioHeader, int features) {
    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_TSO_ECN = 0x08;
    public static final int TUN_F_UFO = 0x10;
    public static final int TUN_F_USO4 = 0x20;
    public static final int TUN_F_USO6 = 0x40;

    /** Plain packets, no header: nbl4j's behaviour before offloads. */
    public static final TunOffloads NONE = new TunOffloads(false, 0);
    /** Checksum offload only: packets stay within the MTU, their checksums may be partial or known good. */
    public static final TunOffloads CHECKSUM = new TunOffloads(true, TUN_F_CSUM);
    /** Everything nbl4j can map to NDIS: checksum, TSO for both families (with ECN) and USO. */
    public static final TunOffloads ALL =
            new TunOffloads(true, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN | TUN_F_USO4 | TUN_F_USO6);

    public TunOffloads {
        if (!virtioHeader && features != 0) {
            throw new IllegalArgumentException(
                    "TUN offload features need IFF_VNET_HDR: 0x" + Integer.toHexString(features));
        }
        if ((features & ~TUN_F_CSUM) != 0 && (features & TUN_F_CSUM) == 0) {
            throw new IllegalArgumentException("TSO and USO need TUN_F_CSUM: 0x" + Integer.toHexString(features));
        }
    }

    /** Whether the kernel may hand over packets with partial checksums. */
    public boolean checksum() {
        return (features & TUN_F_CSUM) != 0;
    }

    /** Whether the kernel may hand over TCP super-packets of the family. */
    public boolean tcpSegmentation(boolean ipv6) {
        return (features & (ipv6 ? TUN_F_TSO6 : TUN_F_TSO4)) != 0;
    }

    /** Whether the kernel may hand over UDP super-packets of the family. */
    public boolean udpSegmentation(boolean ipv6) {
        return (features & (ipv6 ? TUN_F_USO6 : TUN_F_USO4)) != 0;
    }

    /** Whether any super-packet may arrive, so receive buffers must hold 64 KiB. */
    public boolean coalescing() {
        return (features & (TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6)) != 0;
    }

    /** The same request without the features in {@code mask}. */
    TunOffloads without(int mask) {
        return new TunOffloads(virtioHeader, features & ~mask);
    }

    @Override
    public String toString() {
        if (!virtioHeader) {
            return "none";
        }
        StringBuilder text = new StringBuilder("vnet-hdr");
        String[] names = {"csum", "tso4", "tso6", "tso-ecn", "ufo", "uso4", "uso6"};
        for (int bit = 0; bit < names.length; bit++) {
            if ((features & (1 << bit)) != 0) {
                text.append(',').append(names[bit]);
            }
        }
        return text.toString();
    }
}
