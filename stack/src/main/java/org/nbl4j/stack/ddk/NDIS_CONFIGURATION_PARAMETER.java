package org.nbl4j.stack.ddk;

import org.jspecify.annotations.Nullable;

/** {@code NDIS_CONFIGURATION_PARAMETER}: one value {@code NdisReadConfiguration} read. */
public final class NDIS_CONFIGURATION_PARAMETER {
    /** {@code ParameterType}: {@code NdisParameterInteger}, {@code NdisParameterHexInteger} or {@code NdisParameterString}. */
    public int ParameterType;
    /** {@code ParameterData}. */
    public final PARAMETER_DATA ParameterData = new PARAMETER_DATA();

    /** The {@code ParameterData} union: the member {@code ParameterType} names holds the value. */
    public static final class PARAMETER_DATA {
        /** {@code IntegerData}. */
        public int IntegerData;
        /** {@code StringData} ({@code NDIS_STRING}). */
        public @Nullable String StringData;
    }
}
