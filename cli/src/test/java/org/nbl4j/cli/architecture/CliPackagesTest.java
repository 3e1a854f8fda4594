package org.nbl4j.cli.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The replay engine ({@code cli.replay}) is the command's machinery, the commands ({@code org.nbl4j.cli}) its
 * front: options and output formats. The engine never reaches back into the commands, so it can be driven from a test
 * or another front without picocli.
 */
@AnalyzeClasses(packages = "org.nbl4j.cli", importOptions = ImportOption.DoNotIncludeTests.class)
class CliPackagesTest {
    @ArchTest
    static final ArchRule REPLAY_DOES_NOT_DEPEND_ON_THE_COMMANDS = noClasses()
            .that()
            .resideInAPackage("org.nbl4j.cli.replay..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.nbl4j.cli");
}
