/**
 * A lightweight filter with a real {@code DriverEntry}, shaped like Microsoft's {@code ndis/filter} sample and written
 * against the {@code ddk} facade: it registers with {@code NdisFRegisterFilterDriver}, attaches to every adapter,
 * counts the sends and receives that pass each module, passes OID requests through as clones, forwards status
 * indications, keeps its module list under a lock, and offers the sample's device controls (enumerate the modules,
 * restart one) as direct calls until nbl4j has device objects. {@link org.nbl4j.samples.ndislwf.NdisLwfDriver} is the
 * driver, {@link org.nbl4j.samples.ndislwf.MS_FILTER} its module context.
 */
@NullMarked
package org.nbl4j.samples.ndislwf;

import org.jspecify.annotations.NullMarked;
