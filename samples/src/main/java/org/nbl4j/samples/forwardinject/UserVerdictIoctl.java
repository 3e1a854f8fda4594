package org.nbl4j.samples.forwardinject;

/**
 * The header the user-verdict driver and its applications share (a C driver's {@code public.h}): the device's names,
 * the control codes, the verdicts and the layout of each IOCTL's buffers. Every field is little-endian, as the structures
 * are on Windows; {@code user_verdicts.py} mirrors this file.
 *
 * <pre>
 * IOCTL_USERVERDICT_RECEIVE (METHOD_OUT_DIRECT), input: nothing, or u32 MaxPackets (0: as many as fit);
 *   output: records back to back, Information = their total length
 *   u32 PacketId, u32 Length, u8[Length] the IP packet
 * IOCTL_USERVERDICT_VERDICT (METHOD_BUFFERED), input: records back to back; Information = verdicts applied
 *   u32 PacketId, u16 Verdict, u16 Length, u8[Length] (USERVERDICT_MODIFY: the new packet, as long as the old one)
 * IOCTL_USERVERDICT_SET_DEFAULT (METHOD_BUFFERED), input:
 *   u32 DefaultVerdict (PERMIT or BLOCK), u32 TimeoutMilliseconds
 * IOCTL_USERVERDICT_QUERY_STATISTICS (METHOD_BUFFERED), output: STATISTICS_COUNT u64 counters, in STATISTICS_* order
 * IOCTL_USERVERDICT_ATTACH_RING (METHOD_OUT_DIRECT), output: the ring area (RING_AREA_LENGTH bytes, zeroed by the
 *   application), shared with the driver for as long as the request stays pending (until its handle closes)
 * IOCTL_USERVERDICT_RING_WAIT (METHOD_BUFFERED), nothing in or out: carries out the verdicts in the ring, then
 *   completes when the packet ring holds a packet the application has not consumed
 * </pre>
 *
 * <p>The ring area, for applications that give many verdicts (the shape of XDP for Windows' AF_XDP rings): the
 * driver's MDL maps the application's own buffer, so both read and write it while the ATTACH_RING request is pending.
 *
 * <pre>
 * RING_PACKET_PRODUCED   u32, the driver's: packet descriptors written so far (wraps)
 * RING_PACKET_CONSUMED   u32, the application's: packet descriptors it is done with
 * RING_VERDICT_PRODUCED  u32, the application's: verdict descriptors written so far
 * RING_VERDICT_CONSUMED  u32, the driver's: verdict descriptors carried out
 * RING_PACKETS           RING_SLOTS packet descriptors: u32 PacketId, u32 Length; descriptor n at (n % RING_SLOTS)
 * RING_VERDICTS          RING_SLOTS verdict descriptors: u32 PacketId, u16 Verdict, u16 Length
 * RING_FRAMES            RING_SLOTS frames of RING_FRAME_LENGTH: a packet's bytes, in frame (PacketId % RING_SLOTS)
 * </pre>
 *
 * Each index sits on a cache line of its own; a side reads the other's with acquire and writes its own with release
 * (ReadUInt32Acquire, WriteUInt32Release). A MODIFY verdict's new bytes are written over the packet's frame (Length is
 * the packet's). Packets longer than a frame are not put in the ring: RECEIVE requests get them, or the default.
 */
public final class UserVerdictIoctl {
    private UserVerdictIoctl() {}

    /** The device's name. */
    public static final String DEVICE_NAME = "\\Device\\UserVerdict";
    /** Its symbolic link: {@code \\.\UserVerdict} on Windows, the socket {@code <device dir>/userverdict} here. */
    public static final String LINK_NAME = "\\DosDevices\\UserVerdict";

    // C's CTL_CODE is a macro whose results are case labels; Java's switch needs literals, so each code is written out
    // with the CTL_CODE it is (UserVerdictCalloutTest checks that they agree).
    /** {@code CTL_CODE(FILE_DEVICE_NETWORK, 0x900, METHOD_OUT_DIRECT, FILE_READ_ACCESS)}: wait for packets. */
    public static final int IOCTL_USERVERDICT_RECEIVE = 0x00126402;
    /** {@code CTL_CODE(FILE_DEVICE_NETWORK, 0x901, METHOD_BUFFERED, FILE_WRITE_ACCESS)}: verdicts on packets. */
    public static final int IOCTL_USERVERDICT_VERDICT = 0x0012A404;
    /** {@code CTL_CODE(FILE_DEVICE_NETWORK, 0x902, METHOD_BUFFERED, FILE_WRITE_ACCESS)}: the default verdict. */
    public static final int IOCTL_USERVERDICT_SET_DEFAULT = 0x0012A408;
    /** {@code CTL_CODE(FILE_DEVICE_NETWORK, 0x903, METHOD_BUFFERED, FILE_READ_ACCESS)}: the driver's counters. */
    public static final int IOCTL_USERVERDICT_QUERY_STATISTICS = 0x0012640C;

    /**
     * {@code CTL_CODE(FILE_DEVICE_NETWORK, 0x904, METHOD_OUT_DIRECT, FILE_READ_ACCESS | FILE_WRITE_ACCESS)}: share a
     * ring area.
     */
    public static final int IOCTL_USERVERDICT_ATTACH_RING = 0x0012E412;
    /**
     * {@code CTL_CODE(FILE_DEVICE_NETWORK, 0x905, METHOD_BUFFERED, FILE_ANY_ACCESS)}: take the ring's verdicts, wait
     * for its packets.
     */
    public static final int IOCTL_USERVERDICT_RING_WAIT = 0x00122414;

    /** Re-inject the packet as it was. */
    public static final int USERVERDICT_PERMIT = 0;
    /** Drop it. */
    public static final int USERVERDICT_BLOCK = 1;
    /** Re-inject the bytes that follow instead (the same length; checksums are the application's to fix). */
    public static final int USERVERDICT_MODIFY = 2;

    /**
     * RECEIVE's optional input: the most packets the request takes ({@code u32 MaxPackets}; 1 asks for one packet per
     * IOCTL, 0 or no input for as many as fit, the batched mode).
     */
    public static final int RECEIVE_OPTIONS_LENGTH = 4;
    /** A RECEIVE record's header: PacketId, Length. */
    public static final int RECEIVE_HEADER_LENGTH = 8;
    /** A VERDICT record's header: PacketId, Verdict, Length. */
    public static final int VERDICT_HEADER_LENGTH = 8;
    /** SET_DEFAULT's input. */
    public static final int SET_DEFAULT_LENGTH = 8;
    /**
     * The smallest RECEIVE output buffer: room for one record of the largest IP packet, so that every packet fits an
     * empty buffer.
     */
    public static final int RECEIVE_MINIMUM_LENGTH = RECEIVE_HEADER_LENGTH + 0xFFFF;

    /** The descriptors in each ring and the frames: one per packet record of the driver. */
    public static final int RING_SLOTS = 256;
    /** A frame's length: room for an Ethernet MTU's IP packet. */
    public static final int RING_FRAME_LENGTH = 2048;
    /** The ring area's offset of the packet descriptors the driver has written. */
    public static final int RING_PACKET_PRODUCED = 64;
    /** The ring area's offset of the packet descriptors the application is done with. */
    public static final int RING_PACKET_CONSUMED = 128;
    /** The ring area's offset of the verdict descriptors the application has written. */
    public static final int RING_VERDICT_PRODUCED = 192;
    /** The ring area's offset of the verdict descriptors the driver has carried out. */
    public static final int RING_VERDICT_CONSUMED = 256;
    /** The ring area's offset of the packet descriptors. */
    public static final int RING_PACKETS = 512;
    /** The ring area's offset of the verdict descriptors. */
    public static final int RING_VERDICTS = RING_PACKETS + RING_SLOTS * 8;
    /** The ring area's offset of the frames (page-aligned). */
    public static final int RING_FRAMES = 8192;
    /** The ring area's length. */
    public static final int RING_AREA_LENGTH = RING_FRAMES + RING_SLOTS * RING_FRAME_LENGTH;

    /** Packets cloned and held for a verdict. */
    public static final int STATISTICS_TAKEN = 0;
    /** Verdicts PERMIT the application gave. */
    public static final int STATISTICS_PERMITTED = 1;
    /** Verdicts BLOCK the application gave. */
    public static final int STATISTICS_BLOCKED = 2;
    /** Verdicts MODIFY the application gave. */
    public static final int STATISTICS_MODIFIED = 3;
    /** Held packets that got the default because no verdict came within the timeout. */
    public static final int STATISTICS_DEFAULTED_ON_TIMEOUT = 4;
    /** Held packets that got the default because the handle they were handed to closed (the application ended). */
    public static final int STATISTICS_DEFAULTED_ON_CLEANUP = 5;
    /** Packets not held at all: no application had the device open, or too many were held already. */
    public static final int STATISTICS_DEFAULTED_UNHELD = 6;
    /** RECEIVE requests cancelled while pending (CancelIoEx, or their handle closed). */
    public static final int STATISTICS_CANCELLED_RECEIVES = 7;
    /** Verdicts naming no held packet (it got the default already), or a MODIFY of another length. */
    public static final int STATISTICS_REFUSED_VERDICTS = 8;
    /** Packets held now. */
    public static final int STATISTICS_HELD = 9;
    /** RECEIVE requests pending now. */
    public static final int STATISTICS_PENDING_RECEIVES = 10;
    /** Handles open now. */
    public static final int STATISTICS_OPEN_HANDLES = 11;
    /** How many counters QUERY_STATISTICS returns. */
    public static final int STATISTICS_COUNT = 12;
}
