package org.sparkprop.collective;

import java.io.IOException;
import java.io.Serializable;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * The ports a collective may listen on: "0" (any free port) or "first-last" for firewalled
 * clusters. Sockets bind to the given host's address only, never to every interface.
 */
public record PortRange(int first, int last) implements Serializable {

  public PortRange {
    if (first < 0 || last > 65535 || last < first || (first == 0 && last != 0)) {
      throw new IllegalArgumentException("ports must be 0 (any) or first-last within 1-65535, got "
          + first + "-" + last);
    }
  }

  public static PortRange parse(String s) {
    String t = s.trim();
    try {
      if (t.equals("0")) {
        return new PortRange(0, 0);
      }
      int dash = t.indexOf('-');
      return dash < 0 ? new PortRange(Integer.parseInt(t), Integer.parseInt(t))
          : new PortRange(Integer.parseInt(t.substring(0, dash).trim()),
              Integer.parseInt(t.substring(dash + 1).trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("ports must be 0 (any) or first-last, e.g. 40000-40100, got '"
          + s + "'");
    }
  }

  /** A server socket on {@code host} at the first free port of the range. */
  public ServerSocketChannel bind(String host) throws IOException {
    IOException last = null;
    for (int p = first; p <= this.last; p++) {
      ServerSocketChannel s = ServerSocketChannel.open();
      try {
        s.bind(new InetSocketAddress(host, p), 64);
        return s;
      } catch (BindException e) {
        s.close();
        last = e;
      }
    }
    throw new IOException("no free port in " + first + "-" + this.last + " on " + host
        + " (spark.collectivePorts)", last);
  }
}
