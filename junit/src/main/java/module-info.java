/**
 * The JUnit 5 extension for driver writers' tests: an NDIS instance with the verifier at full level per test, and a
 * failed test for anything leaked or any rule broken silently.
 */
module org.nbl4j.junit {
    requires static org.jspecify;
    requires transitive org.nbl4j.core;
    requires transitive org.junit.jupiter.api;

    exports org.nbl4j.junit;
}
