/**
 * The replay engine behind {@code nbl4j run}, {@code nbl4j poolmon} and {@code nbl4j nbl}: a router configuration (its
 * line format and the equivalent command-line values), and the loop that offers a capture's packets to in-memory
 * miniports, polls the router on the calling thread and records what each interface transmits.
 */
@NullMarked
package org.nbl4j.cli.replay;

import org.jspecify.annotations.NullMarked;
