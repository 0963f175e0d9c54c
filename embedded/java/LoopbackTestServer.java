package dev.waymark;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.net.InetSocketAddress;

/**
 * Temporal's time-skipping test server, bound to 127.0.0.1 only.
 *
 * <p>{@code io.temporal.testserver.TestServer} listens on every interface; Waymark's rule is that
 * no service it starts listens beyond loopback, so this launcher builds the same services behind a
 * loopback-bound gRPC server. Same command line: {@code <port> [--enable-time-skipping]}, which is
 * how {@code @temporalio/testing} spawns an {@code existing-path} test server.
 */
public final class LoopbackTestServer {
  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("Usage: temporal-test-server <port> [--enable-time-skipping]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    boolean timeSkipping = args.length == 2 && "--enable-time-skipping".equalsIgnoreCase(args[1]);
    if (args.length == 2 && !timeSkipping) {
      System.err.println("Unknown flag " + args[1]);
      System.exit(2);
    }
    TestServicesStarter services = new TestServicesStarter(!timeSkipping, 0);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port));
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      services.close();
    }));
    server.awaitTermination();
  }
}
