package org.nbl4j.stack.ip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.nbl4j.stack.ndis.ProtocolBinding;

/**
 * The IP layer's interfaces and the network compartments they belong to (tcpip.sys's compartment set and its
 * interface set). Published copy-on-write: the data path reads the arrays without locks; additions are serialized by
 * the caller ({@link IpStack}'s configuration methods).
 */
final class InterfaceTable {
    private volatile IpInterface[] interfaces = new IpInterface[0];
    private volatile Compartment[] compartments = new Compartment[0];

    /**
     * Adds an interface over an adapter binding, in a compartment (0 means the default, 1), forwarding off.
     *
     * @throws IllegalArgumentException if the index or the binding is already used
     */
    IpInterface add(int interfaceIndex, ProtocolBinding binding, int compartmentId) {
        for (IpInterface existing : interfaces) {
            if (existing.interfaceIndex() == interfaceIndex || existing.binding() == binding) {
                throw new IllegalArgumentException("interface " + interfaceIndex + " or its binding exists");
            }
        }
        IpInterface added = new IpInterface(interfaceIndex, binding, compartmentOrCreate(compartmentId));
        IpInterface[] more = Arrays.copyOf(interfaces, interfaces.length + 1);
        more[interfaces.length] = added;
        interfaces = more;
        return added;
    }

    private Compartment compartmentOrCreate(int compartmentId) {
        int id = effectiveCompartmentId(compartmentId);
        Compartment found = compartment(id);
        if (found != null) {
            return found;
        }
        Compartment created = new Compartment(id);
        Compartment[] more = Arrays.copyOf(compartments, compartments.length + 1);
        more[compartments.length] = created;
        compartments = more;
        return created;
    }

    static int effectiveCompartmentId(int compartmentId) {
        return compartmentId == Compartment.UNSPECIFIED_COMPARTMENT_ID
                ? Compartment.DEFAULT_COMPARTMENT_ID
                : compartmentId;
    }

    /** The interface with this {@code IF_INDEX}, or null. */
    @Nullable
    IpInterface byIndex(int interfaceIndex) {
        for (IpInterface candidate : interfaces) {
            if (candidate.interfaceIndex() == interfaceIndex) {
                return candidate;
            }
        }
        return null;
    }

    /** The interface over this binding, or null. */
    @Nullable
    IpInterface of(ProtocolBinding binding) {
        for (IpInterface candidate : interfaces) {
            if (candidate.binding() == binding) {
                return candidate;
            }
        }
        return null;
    }

    /** The compartment with this id (0 means the default), or null. */
    @Nullable
    Compartment compartment(int compartmentId) {
        int id = effectiveCompartmentId(compartmentId);
        for (Compartment candidate : compartments) {
            if (candidate.id() == id) {
                return candidate;
            }
        }
        return null;
    }

    /** The interface that has the destination address of a packet sent to this host. */
    @Nullable
    IpInterface destinationInterface(PacketFacts facts) {
        for (Compartment compartment : compartments) {
            InterfaceAddress local =
                    compartment.localAddress(facts.family, facts.destinationHigh, facts.destinationLow);
            if (local != null) {
                return local.ipInterface();
            }
        }
        return null;
    }

    /** Each interface's counters now. */
    List<InterfaceStatistics> statistics() {
        List<InterfaceStatistics> perInterface = new ArrayList<>();
        for (IpInterface each : interfaces) {
            perInterface.add(each.statistics());
        }
        return perInterface;
    }
}
