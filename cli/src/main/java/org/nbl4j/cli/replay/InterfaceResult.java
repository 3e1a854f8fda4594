package org.nbl4j.cli.replay;

/**
 * What happened on one router interface during a replay.
 *
 * @param name the interface's name
 * @param offered packets of the capture given to its miniport
 * @param ipIn packets the IP layer received on it
 * @param ipOut packets the IP layer sent out of it
 * @param transmitted packets its miniport put on the wire (and in its output file, if any)
 * @param retried times its miniport refused a packet for lack of a receive buffer before taking it after a poll
 */
public record InterfaceResult(String name, long offered, long ipIn, long ipOut, long transmitted, long retried) {}
