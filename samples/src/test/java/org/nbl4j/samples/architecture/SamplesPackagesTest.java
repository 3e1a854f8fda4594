package org.nbl4j.samples.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Each sample is a driver of its own, as its Windows original is: one sample's package never reaches into another's,
 * so each can be read, and ported back, alone. The shared test packets ({@code org.nbl4j.samples}) are not a slice.
 */
@AnalyzeClasses(packages = "org.nbl4j.samples", importOptions = ImportOption.DoNotIncludeTests.class)
class SamplesPackagesTest {
    @ArchTest
    static final ArchRule SAMPLES_ARE_INDEPENDENT =
            slices().matching("org.nbl4j.samples.(*)..").should().notDependOnEachOther();
}
