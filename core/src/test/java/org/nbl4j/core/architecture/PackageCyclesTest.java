package org.nbl4j.core.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Core's packages depend on each other in one direction only: {@code verify} watches {@code memory} and
 * {@code buffer} through what they declare, and none of them reaches back. A cycle (say, {@code memory} importing the
 * verifier again) fails the build here.
 */
@AnalyzeClasses(packages = "org.nbl4j.core", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {
    @ArchTest
    static final ArchRule CORE_PACKAGES_ARE_FREE_OF_CYCLES =
            slices().matching("org.nbl4j.core.(*)..").should().beFreeOfCycles();
}
