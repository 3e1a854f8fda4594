package org.nbl4j.stack.architecture;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The stack's packages stack up as Windows' do, and the build fails when one reaches up. The module system keeps the
 * stack off io and cli ({@code module-info.java} requires core alone); inside the module only this test does.
 *
 * <p>From the bottom: {@code ndis} (adapters and lightweight filters) knows no other layer; {@code ip} runs over
 * {@code ndis}; {@code wfp} classifies what {@code ip} hands it; {@code router} wires adapters, IP and the filter
 * engine together; {@code ddk} translates the DDIs onto the layers below. Nothing in the stack calls {@code ddk} or
 * {@code router}: a driver and the cli do. {@code internal} (re-entrancy frames) serves {@code ip} and {@code wfp}; {@code kernel} (locks, events, threads)
 * is below them all, as ntoskrnl is below NDIS. {@code device} (the I/O manager: devices, links, IRPs) stands beside
 * the packet layers and uses none of them, only the kernel's spin lock for its cancel lock; only {@code ddk} reaches it
 * inside the stack (io reaches it from outside,
 * to carry user mode's requests).
 */
@AnalyzeClasses(packages = "org.nbl4j.stack", importOptions = ImportOption.DoNotIncludeTests.class)
class StackLayersTest {
    @ArchTest
    static final ArchRule LAYERS_ARE_ACCESSED_FROM_ABOVE_ONLY = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("ddk")
            .definedBy("org.nbl4j.stack.ddk..")
            .layer("router")
            .definedBy("org.nbl4j.stack.router..")
            .layer("wfp")
            .definedBy("org.nbl4j.stack.wfp..")
            .layer("ip")
            .definedBy("org.nbl4j.stack.ip..")
            .layer("ndis")
            .definedBy("org.nbl4j.stack.ndis..")
            .layer("device")
            .definedBy("org.nbl4j.stack.device..")
            .layer("internal")
            .definedBy("org.nbl4j.stack.internal..")
            .layer("kernel")
            .definedBy("org.nbl4j.stack.kernel..")
            .whereLayer("ddk")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("router")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("wfp")
            .mayOnlyBeAccessedByLayers("router", "ddk")
            .whereLayer("ip")
            .mayOnlyBeAccessedByLayers("wfp", "router", "ddk")
            .whereLayer("ndis")
            .mayOnlyBeAccessedByLayers("ip", "wfp", "router", "ddk")
            .whereLayer("device")
            .mayOnlyBeAccessedByLayers("ddk")
            .whereLayer("internal")
            .mayOnlyBeAccessedByLayers("ip", "wfp")
            .whereLayer("kernel")
            .mayOnlyBeAccessedByLayers("ndis", "ip", "wfp", "router", "device", "ddk");

    @ArchTest
    static final ArchRule STACK_PACKAGES_ARE_FREE_OF_CYCLES =
            slices().matching("org.nbl4j.stack.(*)..").should().beFreeOfCycles();
}
