package io.vigil.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a test's servers, chosen before the servers start. Taken below the kernel's ephemeral range (Linux:
 * 32768 and up): a port the OS handed out with {@code new ServerSocket(0)} is also what it hands to the next
 * outgoing connection, and a test that starts Kafka, Flink and PostgreSQL before its dashboard saw the dashboard's
 * port taken by one of their client sockets in between.
 */
public final class FreePorts {

    static final int FIRST = 20_000, END = 32_000;

    private FreePorts() {
    }

    /** A port in 20000–31999 that nothing listens on now (a random start, then the next free one). */
    public static int free() throws IOException {
        int start = ThreadLocalRandom.current().nextInt(FIRST, END);
        for (int i = 0; i < END - FIRST; i++) {
            int port = FIRST + (start - FIRST + i) % (END - FIRST);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // next
            }
        }
        throw new IOException("no free port in " + FIRST + "-" + (END - 1));
    }
}
