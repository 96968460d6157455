package org.sparkprop.collective;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a chain's neighbours find each other: rank r connects to rank r + 1 (retrying while it is not
 * listening yet) and accepts rank r − 1, each connection proven with the stage's token; connections
 * that do not prove it are dropped and waited past. Every wait is bounded by the watchdog.
 */
final class Connections {

  private static final Logger LOG = LoggerFactory.getLogger(Connections.class);

  private Connections() {}

  static TcpLink connectTo(int rank, int peer, String address, byte[] token, Watchdog dog)
      throws IOException {
    InetSocketAddress to = parse(address);
    long deadline = System.currentTimeMillis() + dog.timeoutMs();
    while (true) {
      SocketChannel ch = SocketChannel.open();
      try (Watchdog.Armed a = dog.arm("connecting to rank " + peer + " at " + address, ch)) {
        ch.connect(to);
        Handshake.prove(ch, token, ChainAllReduce.PURPOSE, rank);
        return new TcpLink(ch, peer, address);
      } catch (IOException e) {
        ch.close();
        IOException explained = dog.explain(e);
        if (explained != e || System.currentTimeMillis() > deadline
            || e.getMessage() != null && e.getMessage().contains("token")) {
          throw explained instanceof CollectiveTimeoutException ? explained : new IOException(
              "rank " + rank + " could not connect to rank " + peer + " at " + address + ": " + e.getMessage(), e);
        }
        sleep(50);                                  // not listening yet: try again
      }
    }
  }

  static TcpLink acceptFrom(int peer, String address, ServerSocketChannel server, byte[] token,
                                 Watchdog dog) throws IOException {
    try (Watchdog.Armed a = dog.arm("waiting for rank " + peer + " (" + address + ") to connect", server)) {
      while (true) {
        SocketChannel ch;
        try {
          ch = server.accept();
        } catch (IOException e) {
          throw dog.explain(e);
        }
        int who;
        try (Watchdog.Armed b = dog.arm("checking a connection's token", ch)) {
          who = Handshake.challenge(ch, token, ChainAllReduce.PURPOSE);
        } catch (IOException e) {
          who = -1;
        }
        if (who == peer) {
          return new TcpLink(ch, peer, address);
        }
        LOG.warn("refused a connection from {} that did not prove this job's token (as rank {})",
            ch.socket().getRemoteSocketAddress(), who);
        ch.close();
      }
    }
  }

  static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
    }
    return new InetSocketAddress(hostPort.substring(0, colon),
        Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
