/**
 * Ports of Microsoft's driver samples and the seeds' scenarios to the {@code ddk} facade, runnable as demos. */
module org.nbl4j.samples {
    requires static org.jspecify;
    requires transitive org.nbl4j.stack;

    exports org.nbl4j.samples;
    exports org.nbl4j.samples.ddproxy;
    exports org.nbl4j.samples.forwardinject;
    exports org.nbl4j.samples.inspect;
    exports org.nbl4j.samples.lwfreuse;
    exports org.nbl4j.samples.ndislwf;
}
