/**
 * Tagged off-heap memory: the nonpaged pool of nbl4j.
 *
 * <p>Every byte a packet lives in comes from {@link org.nbl4j.core.memory.TaggedMemory}, carved out of slabs and
 * accounted under a four-character {@link org.nbl4j.core.memory.PoolTag} the way Windows accounts
 * {@code ExAllocatePoolWithTag} allocations, so that {@link org.nbl4j.core.memory.PoolUsage} can show the same
 * Allocs/Frees/Diff/Bytes columns as poolmon. {@link org.nbl4j.core.memory.Mdl} describes a piece of such memory
 * the way an MDL does.
 */
@NullMarked
package org.nbl4j.core.memory;

import org.jspecify.annotations.NullMarked;
