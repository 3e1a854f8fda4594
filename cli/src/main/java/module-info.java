/**
 * The {@code nbl4j} command. Exports nothing: it is run, not programmed against. Its command classes are opened to
 * picocli, which reads their annotated fields and methods reflectively.
 */
module org.nbl4j.cli {
    requires static org.jspecify;
    requires org.nbl4j.io;
    requires org.nbl4j.samples;
    requires info.picocli;

    opens org.nbl4j.cli to
            info.picocli;
}
