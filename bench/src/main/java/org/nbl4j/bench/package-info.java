/**
 * JMH benchmarks of nbl4j's buffer layer next to Netty 4.2's {@code ByteBuf} allocators and raw
 * {@link java.lang.foreign.MemorySegment} copies. Every benchmark is single-threaded, reports average time per
 * operation and keeps its state per thread, so {@code -prof gc}'s {@code gc.alloc.rate.norm} is the heap allocation of
 * one operation. See {@code docs/benchmarks.md} for the results.
 */
package org.nbl4j.bench;
