package org.nbl4j.stack.ddk;

import org.nbl4j.core.memory.PoolTag;

/**
 * C literals Java has no syntax for.
 *
 * <p>A pool tag is written in C as a multi-character constant in reverse ({@code 'ooPF'}, which poolmon shows as
 * {@code FPoo}); Java has no such literal, so {@code PoolParameters.PoolTag = 'ooPF';} ports as
 * {@code PoolParameters.PoolTag = CLiteral.tag("ooPF");} with the characters in the same order as in the C source.
 */
public final class CLiteral {
    private CLiteral() {}

    /**
     * The ULONG value of the C multi-character constant {@code 'c0c1c2c3'}: {@code c0} in the high byte, the way
     * MSVC evaluates it (ndis-buffers §1).
     *
     * @throws IllegalArgumentException unless the literal has exactly four printable ASCII characters (a shorter C
     *     constant would have NUL bytes, which are not a pool tag)
     */
    public static int tag(String cLiteral) {
        if (cLiteral.length() != 4) {
            throw new IllegalArgumentException("a pool tag literal has four characters: '" + cLiteral + "'");
        }
        return PoolTag.fromLiteral(cLiteral).value();
    }
}
