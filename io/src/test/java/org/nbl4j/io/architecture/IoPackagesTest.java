package org.nbl4j.io.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * io's two ways in for packets stay apart: a capture file ({@code capture}) and a TUN device ({@code tun}) each
 * implement what the stack defines and know nothing of each other. The module system keeps io off the cli; inside
 * the module only this test does.
 */
@AnalyzeClasses(packages = "org.nbl4j.io", importOptions = ImportOption.DoNotIncludeTests.class)
class IoPackagesTest {
    @ArchTest
    static final ArchRule CAPTURE_AND_TUN_ARE_INDEPENDENT =
            slices().matching("org.nbl4j.io.(*)..").should().notDependOnEachOther();
}
