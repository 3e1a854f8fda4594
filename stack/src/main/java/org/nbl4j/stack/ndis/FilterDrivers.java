package org.nbl4j.stack.ndis;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;
import org.nbl4j.core.buffer.Ndis;
import org.nbl4j.core.status.NtStatus;
import org.nbl4j.core.verify.Irql;
import org.nbl4j.core.verify.Verifier;
import org.nbl4j.stack.kernel.DriverParameters;

/**
 * The filter drivers registered with one NDIS instance and the adapters they attach to: what
 * {@code NdisFRegisterFilterDriver} and {@code NdisFDeregisterFilterDriver} act on. A registered driver gets a module on
 * every adapter built with that NDIS instance, those already running (attached at the top of their stack, which pauses
 * and restarts for it) and those built later; deregistering detaches every one of them before it returns.
 *
 * <p>Windows has one NDIS; nbl4j has one registry per {@link Ndis} instance, found with {@link #of}, so independent
 * stacks in one JVM (tests, a reload) never see each other's drivers.
 */
public final class FilterDrivers {
    private static final Map<Ndis, FilterDrivers> BY_NDIS = Collections.synchronizedMap(new WeakHashMap<>());

    /** The instance's verifier; not the instance itself, which would keep its weak key alive. */
    private final Verifier verifier;

    private final List<Adapter> adapters = new CopyOnWriteArrayList<>();
    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private final Map<String, DriverParameters> parameters = new ConcurrentHashMap<>();

    private FilterDrivers(Ndis ndis) {
        this.verifier = ndis.verifier();
    }

    /** The registry of {@code ndis}'s filter drivers and adapters. */
    public static FilterDrivers of(Ndis ndis) {
        return BY_NDIS.computeIfAbsent(ndis, FilterDrivers::new);
    }

    /**
     * One registered filter driver: the {@code NdisFilterDriverHandle}. Its modules are the ones attached now, one per
     * adapter.
     */
    public static final class Registration {
        private final FilterDrivers drivers;
        private final LwfAttachment attachment;
        private final String serviceName;
        private final List<LwfHandle> modules = new CopyOnWriteArrayList<>();

        private Registration(FilterDrivers drivers, LwfAttachment attachment, String serviceName) {
            this.drivers = drivers;
            this.attachment = attachment;
            this.serviceName = serviceName;
        }

        /** The filter's name ({@code FriendlyName}). */
        public String name() {
            return attachment.name();
        }

        /** The registry the driver is registered with. */
        public FilterDrivers drivers() {
            return drivers;
        }

        /** The driver's parameters: those {@link FilterDrivers#configure} gave its service. */
        public DriverParameters parameters() {
            return drivers.parameters(serviceName);
        }

        /** The driver's service ({@code ServiceName}), whose parameters it reads. */
        public String serviceName() {
            return serviceName;
        }

        /** The driver's modules attached now, in the order the adapters were attached. */
        public List<LwfHandle> modules() {
            return List.copyOf(modules);
        }

        @Override
        public String toString() {
            return "filter driver " + attachment.name();
        }
    }

    /**
     * Gives the service {@code serviceName} its parameters, the registry key Windows reads them from; a driver that
     * registers under that service name reads them with {@code NdisOpenConfigurationEx}.
     */
    public void configure(String serviceName, DriverParameters values) {
        parameters.put(serviceName, values);
    }

    /** The parameters of {@code serviceName}: what {@link #configure} gave it, else none. */
    public DriverParameters parameters(String serviceName) {
        return parameters.getOrDefault(serviceName, DriverParameters.NONE);
    }

    /** The filter drivers registered now. */
    public List<Registration> registrations() {
        return List.copyOf(registrations);
    }

    /** Registers {@code attachment}'s driver and attaches it to every adapter: {@link #register(LwfAttachment, String, ToIntFunction)}
     * under the filter's name as service, with no options. */
    public Registration register(LwfAttachment attachment) {
        Registration registration = register(attachment, attachment.name(), _ -> NtStatus.NDIS_STATUS_SUCCESS);
        if (registration == null) {
            throw new IllegalStateException("unreachable: registration without options cannot fail");
        }
        return registration;
    }

    /**
     * {@code NdisFRegisterFilterDriver} (PASSIVE_LEVEL): registers the driver, calls {@code setOptions} (the driver's
     * {@code FilterSetOptions}, with the handle already known to it, as Windows does), then attaches a module to every
     * adapter.
     *
     * @return the registration, or {@code null} when {@code setOptions} failed (nothing stays registered)
     */
    public synchronized @Nullable Registration register(
            LwfAttachment attachment, String serviceName, ToIntFunction<Registration> setOptions) {
        verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "NdisFRegisterFilterDriver", "ndis");
        Registration registration = new Registration(this, attachment, serviceName);
        if (setOptions.applyAsInt(registration) < 0) {
            return null;
        }
        registrations.add(registration);
        for (Adapter adapter : adapters) {
            attach(registration, adapter);
        }
        return registration;
    }

    /**
     * {@code NdisFDeregisterFilterDriver} (PASSIVE_LEVEL): detaches every module of the driver, each adapter pausing
     * and restarting around it, and forgets the driver. A module that cannot be detached (its pause never completed)
     * is {@link NdisRule#FILTER_ATTACHED_AT_DEREGISTRATION}.
     *
     * @return the modules still attached: empty unless the rule was broken
     */
    public synchronized List<LwfHandle> deregister(Registration registration) {
        verifier.irqlAtMost(Irql.PASSIVE_LEVEL, "NdisFDeregisterFilterDriver", "ndis");
        List<LwfHandle> left = new ArrayList<>();
        for (LwfHandle module : registration.modules) {
            if (((LwfModule) module).adapter().detachFilter(module)) {
                registration.modules.remove(module);
            } else {
                left.add(module);
                verifier.report(
                        NdisRule.FILTER_ATTACHED_AT_DEREGISTRATION,
                        module + " is still attached (" + module.state() + ") when NdisFDeregisterFilterDriver" + " of "
                                + registration.name() + " returns",
                        null,
                        0);
            }
        }
        registrations.remove(registration);
        return left;
    }

    /** An adapter was built: it gets a module of every registered driver, before its stack first restarts. */
    synchronized void adapterBuilt(Adapter adapter) {
        adapters.add(adapter);
        for (Registration registration : registrations) {
            attach(registration, adapter);
        }
    }

    /** Attaches a module of the driver to {@code adapter}; a module whose FilterAttach fails is left off it. */
    private void attach(Registration registration, Adapter adapter) {
        try {
            registration.modules.add(adapter.attachFilter(registration.attachment));
        } catch (FilterAttachFailed refused) {
            System.getLogger(FilterDrivers.class.getName()).log(System.Logger.Level.INFO, refused.getMessage());
        }
    }

    /** An adapter closed (its modules detached): forget it and its modules. */
    synchronized void adapterClosed(Adapter adapter) {
        adapters.remove(adapter);
        for (Registration registration : registrations) {
            registration.modules.removeIf(module -> ((LwfModule) module).adapter() == adapter);
        }
    }
}
