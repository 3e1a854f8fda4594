package org.nbl4j.stack.ip;

/**
 * One interface's packet counters ({@code MIB_IPINTERFACE_ROW}'s statistics): what was received on it and what left
 * by it, whatever happened to it afterwards.
 */
public record InterfaceStatistics(int interfaceIndex, long inPackets, long inBytes, long outPackets, long outBytes) {}
