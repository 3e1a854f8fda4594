/** The {@code nbl4j} command line. */
@NullMarked
package org.nbl4j.cli;

import org.jspecify.annotations.NullMarked;
