/**
 * The rules a driver must follow with NDIS buffers, and the typed exception that names a broken one.
 */
@NullMarked
package org.nbl4j.core.verify;

import org.jspecify.annotations.NullMarked;
