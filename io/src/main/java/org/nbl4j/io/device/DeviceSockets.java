package org.nbl4j.io.device;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nbl4j.stack.device.IoManager;
import org.nbl4j.stack.device.LinkListener;

/**
 * Makes each symbolic link of an I/O manager a Unix-domain socket in one directory, where user mode opens it: the link
 * {@code \DosDevices\Verdicts} is the socket {@code <directory>/verdicts}, as {@code CreateFile("\\.\Verdicts")}
 * opens it on Windows. Each accepted connection is one handle ({@link DeviceConnection}); its requests are dispatched
 * at PASSIVE_LEVEL on the connection's thread, which inherits the thread bindings ({@code SystemNdis},
 * {@code SystemIo}) of the thread that called {@link #start}; its replies are written by a second thread of its own,
 * so that completing an IRP never waits for the client.
 */
public final class DeviceSockets implements AutoCloseable, LinkListener {
    private static final Logger LOG = System.getLogger(DeviceSockets.class.getName());

    /** How long {@link #close} waits for one handle's CLEANUP and CLOSE (a driver's dispatch routine may block). */
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final IoManager io;
    private final Path directory;
    private final Map<String, ServerSocketChannel> servers = new ConcurrentHashMap<>();
    /** The open connections and the threads reading them. */
    private final Map<DeviceConnection, Thread> connections = new ConcurrentHashMap<>();

    /** Serves {@code io}'s links in {@code directory}, which is created if missing. */
    public DeviceSockets(IoManager io, Path directory) {
        this.io = io;
        this.directory = directory;
    }

    /**
     * The default directory: {@code $XDG_RUNTIME_DIR/nbl4j/devices}, or {@code <java.io.tmpdir>/nbl4j-<user>/devices}
     * without a runtime directory.
     */
    public static Path defaultDirectory() {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty()) {
            return Path.of(runtime, "nbl4j", "devices");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "nbl4j-" + System.getProperty("user.name"), "devices");
    }

    /** The socket a link is served at: its last path component, in lower case (object names ignore case). */
    public static Path socketPath(Path directory, String linkName) {
        String name = linkName.substring(linkName.lastIndexOf('\\') + 1).toLowerCase(Locale.ROOT);
        return directory.resolve(name);
    }

    /** The directory the sockets are in. */
    public Path directory() {
        return directory;
    }

    /** Creates the directory, serves the links that exist and follows the I/O manager's from now on. */
    public DeviceSockets start() throws IOException {
        Files.createDirectories(directory);
        io.addLinkListener(this);
        for (String link : io.symbolicLinks()) {
            linkCreated(link);
        }
        return this;
    }

    @Override
    public void linkCreated(String linkName) {
        Path path = socketPath(directory, linkName);
        try {
            Files.deleteIfExists(path); // a socket file left by a process that died
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            servers.put(linkName.toLowerCase(Locale.ROOT), server);
            Thread.ofPlatform()
                    .daemon()
                    .name("nbl4j-device-accept-" + path.getFileName())
                    .start(() -> accept(server, linkName));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve " + linkName + " at " + path, e);
        }
    }

    @Override
    public void linkDeleted(String linkName) {
        ServerSocketChannel server = servers.remove(linkName.toLowerCase(Locale.ROOT));
        if (server != null) {
            closeServer(server, socketPath(directory, linkName));
        }
    }

    private void accept(ServerSocketChannel server, String linkName) {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                DeviceConnection connection = new DeviceConnection(io, linkName, client, connections::remove);
                String name = "nbl4j-device-" + linkName.substring(linkName.lastIndexOf('\\') + 1);
                Thread reader = Thread.ofPlatform().daemon().name(name).unstarted(connection);
                // Recorded before it starts, so that its end (which removes it) cannot come first.
                connections.put(connection, reader);
                Thread.ofPlatform().daemon().name(name + "-writer").start(connection::writeReplies);
                reader.start();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Logger.Level.WARNING, "accepting on " + linkName + " failed", e);
                return;
            }
        }
    }

    private static void closeServer(ServerSocketChannel server, Path path) {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Logger.Level.WARNING, "closing " + path + " failed", e);
        }
    }

    /**
     * Stops serving: removes the sockets and closes every connection, which closes its handle (pending IRPs cancelled,
     * CLEANUP, CLOSE), and returns once every handle is closed, so that a driver unloaded next finds no handle open (on
     * Windows a driver with open handles is not unloaded).
     */
    @Override
    public void close() {
        io.removeLinkListener(this);
        for (String link : servers.keySet()) {
            linkDeleted(link);
        }
        for (DeviceConnection connection : connections.keySet()) {
            connection.disconnect();
        }
        for (Thread reader : connections.values()) {
            try {
                reader.join(CLOSE_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
