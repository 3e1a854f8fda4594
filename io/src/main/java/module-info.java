/**
 * Real packets for the stack: pcap/pcapng files and Linux TUN devices, the latter over the Foreign Function & Memory
 * API. The only module that calls native code, so the only one run with {@code --enable-native-access}.
 */
module org.nbl4j.io {
    requires static org.jspecify;
    requires jdk.net;
    requires transitive org.nbl4j.stack;

    exports org.nbl4j.io.capture;
    exports org.nbl4j.io.device;
    exports org.nbl4j.io.host;
    exports org.nbl4j.io.tun;
}
