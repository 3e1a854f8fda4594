/**
 * Capture files: reading and writing classic libpcap files and pcapng files, the recorded traffic that nbl4j replays
 * through its stack and the traffic it records on the way out.
 *
 * <p>Readers hand out IP packets only: link-layer headers (Ethernet with 802.1Q tags, Linux cooked captures) are
 * stripped on input and frames that carry no IP packet are skipped and counted. Writers write raw IP packets
 * ({@code LINKTYPE_RAW}) with nanosecond timestamps. Start from {@link org.nbl4j.io.capture.CaptureReader#open} and
 * {@link org.nbl4j.io.capture.CaptureWriter#create}.
 */
@NullMarked
package org.nbl4j.io.capture;

import org.jspecify.annotations.NullMarked;
