/** Whole hosts: adapters, filter stacks and the IP stack assembled and taken down in the right order. */
@NullMarked
package org.nbl4j.stack.router;

import org.jspecify.annotations.NullMarked;
