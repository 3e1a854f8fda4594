package org.nbl4j.stack.ip;

/**
 * Why the IP path dropped a packet: {@code IP_DISCARD_REASON} of fwpsk.h with its numbers (receive-path reasons from
 * 1, forward-path reasons from 128, internal and send-path reasons from 256). The numbering follows the copy of the
 * enum the spec points to (wfp-callouts-and-injection §5.3, §9 item 17); the names are the DDI's.
 */
public enum IpDiscardReason {
    BAD_SOURCE_ADDRESS("IpDiscardBadSourceAddress", 1),
    NOT_LOCALLY_DESTINED("IpDiscardNotLocallyDestined", 2),
    PROTOCOL_UNREACHABLE("IpDiscardProtocolUnreachable", 3),
    PORT_UNREACHABLE("IpDiscardPortUnreachable", 4),
    BAD_LENGTH("IpDiscardBadLength", 5),
    MALFORMED_HEADER("IpDiscardMalformedHeader", 6),
    NO_ROUTE("IpDiscardNoRoute", 7),
    BEYOND_SCOPE("IpDiscardBeyondScope", 8),
    INSPECTION_DROP("IpDiscardInspectionDrop", 9),
    TOO_MANY_DECAPSULATIONS("IpDiscardTooManyDecapsulations", 10),
    ADMINISTRATIVELY_PROHIBITED("IpDiscardAdministrativelyProhibited", 11),
    BAD_CHECKSUM("IpDiscardBadChecksum", 12),
    FIRST_FRAGMENT_INCOMPLETE("IpDiscardFirstFragmentIncomplete", 13),
    HEADER_NOT_CONTIGUOUS("IpDiscardHeaderNotContiguous", 14),
    HEADER_NOT_ALIGNED("IpDiscardHeaderNotAligned", 15),
    HOP_LIMIT_EXCEEDED("IpDiscardHopLimitExceeded", 128),
    ADDRESS_UNREACHABLE("IpDiscardAddressUnreachable", 129),
    RSC_PACKET("IpDiscardRscPacket", 130),
    SOURCE_VIOLATION("IpDiscardSourceViolation", 131),
    ARBITRATION_UNHANDLED("IpDiscardArbitrationUnhandled", 256),
    INSPECTION_ABSORB("IpDiscardInspectionAbsorb", 257),
    DONT_FRAGMENT_MTU_EXCEEDED("IpDiscardDontFragmentMtuExceeded", 258),
    BUFFER_LENGTH_EXCEEDED("IpDiscardBufferLengthExceeded", 259),
    ADDRESS_RESOLUTION_TIMEOUT("IpDiscardAddressResolutionTimeout", 260),
    ADDRESS_RESOLUTION_FAILURE("IpDiscardAddressResolutionFailure", 261),
    IPSEC_FAILURE("IpDiscardIpsecFailure", 262),
    EXTENSION_HEADERS_FAILURE("IpDiscardExtensionHeadersFailure", 263),
    ALLOCATION_FAILURE("IpDiscardAllocationFailure", 264),
    IPSNPI_CLIENT_DROP("IpDiscardIpsnpiClientDrop", 265),
    UNSUPPORTED_OFFLOAD("IpDiscardUnsupportedOffload", 266),
    ROUTING_FAILURE("IpDiscardRoutingFailure", 267),
    ANCILLARY_DATA_FAILURE("IpDiscardAncillaryDataFailure", 268),
    RAW_DATA_FAILURE("IpDiscardRawDataFailure", 269),
    SESSION_STATE_FAILURE("IpDiscardSessionStateFailure", 270),
    IPSNPI_ALLOCATION_FAILURE("IpDiscardIpsnpiAllocationFailure", 271),
    IPSNPI_MODIFIED_BUT_NOT_FORWARDED("IpDiscardIpsnpiModifiedButNotForwarded", 272),
    IPSNPI_NO_NEXT_HOP("IpDiscardIpsnpiNoNextHop", 273),
    IPSNPI_NO_COMPARTMENT("IpDiscardIpsnpiNoCompartment", 274),
    IPSNPI_NO_INTERFACE("IpDiscardIpsnpiNoInterface", 275),
    IPSNPI_NO_SUB_INTERFACE("IpDiscardIpsnpiNoSubInterface", 276),
    IPSNPI_INTERFACE_DISABLED("IpDiscardIpsnpiInterfaceDisabled", 277),
    IPSNPI_SEGMENTATION_FAILED("IpDiscardIpsnpiSegmentationFailed", 278),
    IPSNPI_NO_ETHERNET_HEADER("IpDiscardIpsnpiNoEthernetHeader", 279),
    IPSNPI_UNEXPECTED_FRAGMENT("IpDiscardIpsnpiUnexpectedFragment", 280),
    IPSNPI_UNSUPPORTED_INTERFACE_TYPE("IpDiscardIpsnpiUnsupportedInterfaceType", 281),
    IPSNPI_INVALID_LSO_INFO("IpDiscardIpsnpiInvalidLsoInfo", 282),
    IPSNPI_INVALID_USO_INFO("IpDiscardIpsnpiInvalidUsoInfo", 283),
    INTERNAL_ERROR("IpDiscardInternalError", 284),
    ADMINISTRATIVELY_CONFIGURED("IpDiscardAdministrativelyConfigured", 285),
    BAD_OPTION("IpDiscardBadOption", 286),
    LOOPBACK_DISALLOWED("IpDiscardLoopbackDisallowed", 287),
    SMALLER_SCOPE("IpDiscardSmallerScope", 288);

    private final String ddiName;
    private final int value;

    IpDiscardReason(String ddiName, int value) {
        this.ddiName = ddiName;
        this.value = value;
    }

    /** The enumerator's name in fwpsk.h, for example {@code IpDiscardHopLimitExceeded}. */
    public String ddiName() {
        return ddiName;
    }

    /** The enumerator's value, as {@code FWPS_DISCARD_METADATA0.discardReason} carries it. */
    public int value() {
        return value;
    }
}
