package org.nbl4j.io.capture;

/** The two capture file formats nbl4j reads and writes. */
public enum CaptureFormat {
    /** The classic libpcap format: one file header, then packet records; one interface. */
    PCAP,
    /** The pcapng format: blocks in sections, each with its own interfaces. */
    PCAPNG
}
