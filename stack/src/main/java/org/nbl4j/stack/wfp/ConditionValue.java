package org.nbl4j.stack.wfp;

import java.util.Arrays;

/**
 * The value a condition compares a field with: {@code FWP_CONDITION_VALUE0} restricted to the types of the IP layers
 * (§4.3, §4.6).
 */
public sealed interface ConditionValue {

    /** An unsigned integer of the field's type (IPv4 addresses in host byte order). */
    record Unsigned(long value) implements ConditionValue {}

    /** {@code FWP_RANGE0}: for {@link MatchType#RANGE}, both ends included, compared unsigned. */
    record Range(long low, long high) implements ConditionValue {}

    /** {@code FWP_V4_ADDR_AND_MASK}: an IPv4 subnet, both in host byte order, for EQUAL and NOT_EQUAL. */
    record V4AddressAndMask(int address, int mask) implements ConditionValue {}

    /** {@code FWP_BYTE_ARRAY16}: an IPv6 address, for EQUAL and NOT_EQUAL. */
    record Bytes16(byte[] bytes) implements ConditionValue {
        public Bytes16 {
            if (bytes.length != 16) {
                throw new IllegalArgumentException("a BYTE_ARRAY16 has 16 bytes, not " + bytes.length);
            }
            bytes = bytes.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Bytes16 that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Bytes16" + Arrays.toString(bytes);
        }
    }

    /** {@code FWP_V6_ADDR_AND_MASK}: an IPv6 prefix, for EQUAL and NOT_EQUAL. */
    record V6AddressAndPrefix(byte[] address, int prefixLength) implements ConditionValue {
        public V6AddressAndPrefix {
            if (address.length != 16 || prefixLength < 0 || prefixLength > 128) {
                throw new IllegalArgumentException("an IPv6 prefix needs 16 bytes and a length of 0 to 128");
            }
            address = address.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof V6AddressAndPrefix that
                    && prefixLength == that.prefixLength
                    && Arrays.equals(address, that.address);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(address) * 31 + prefixLength;
        }

        @Override
        public String toString() {
            return "V6AddressAndPrefix" + Arrays.toString(address) + "/" + prefixLength;
        }
    }
}
