package dev.shoestring.testutils;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway single-node KRaft broker with one SASL_SSL listener (mechanism PLAIN), started as
 * its own JVM from the Kafka jars {@code bin/shoestring up} fetched ({@code $SHOESTRING_DATA_DIR/kafka/lib}).
 * Its certificate is self-signed ({@link TestCertificate}); {@link #caPem()} is the file a
 * client trusts. The shared broker of the other tests stays untouched.
 */
public final class SecureKafkaBroker implements AutoCloseable {
    public static final String USER = "shoestring";

    private final Path dir;
    private final Process process;
    private final int port;
    private final String password;

    private SecureKafkaBroker(Path dir, Process process, int port, String password) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.password = password;
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** The password of {@link #USER}, random per broker. */
    public String password() {
        return password;
    }

    /** The broker's self-signed certificate, PEM: what a client's truststore must hold. */
    public Path caPem() {
        return dir.resolve(TestCertificate.PEM);
    }

    public static SecureKafkaBroker start() throws Exception {
        String data = System.getenv("SHOESTRING_DATA_DIR");
        Path lib = Path.of(data == null ? LocalServices.root().resolve(".shoestring").toString() : data, "kafka", "lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException("no Kafka jars at " + lib + ": run `bin/shoestring up` first");
        }
        Path dir = Files.createTempDirectory("shoestring-sasl-broker-");
        TestCertificate cert = TestCertificate.create(dir);
        String storePass = cert.storePassword;
        String adminPass = UUID.randomUUID().toString();
        String userPass = UUID.randomUUID().toString();
        int port = freePort();
        int controller = freePort();
        String props = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "controller.listener.names=CONTROLLER",
                "listeners=SASL_SSL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=SASL_SSL://127.0.0.1:" + port,
                "inter.broker.listener.name=SASL_SSL",
                "listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
                "sasl.enabled.mechanisms=PLAIN",
                "sasl.mechanism.inter.broker.protocol=PLAIN",
                "listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"admin\" password=\"" + adminPass + "\" user_admin=\"" + adminPass + "\""
                        + " user_" + USER + "=\"" + userPass + "\";",
                "ssl.keystore.location=" + cert.keystore,
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.password=" + storePass,
                "ssl.key.password=" + storePass,
                "ssl.truststore.location=" + cert.pem,
                "ssl.truststore.type=PEM",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "");
        Path config = Files.writeString(dir.resolve("server.properties"), props);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String log4j = "-Dlog4j2.configurationFile=" + LocalServices.root().resolve("services/kafka/tools-log4j2.properties");
        String cp = lib + "/*";
        TestCertificate.run(dir, java, "-Xmx256m", log4j, "-cp", cp, "kafka.tools.StorageTool", "format", "-t",
                org.apache.kafka.common.Uuid.randomUuid().toString(), "-c", config.toString());
        Process p = new ProcessBuilder(java, "-Xms128m", "-Xmx384m", log4j, "-Dkafka.logs.dir=" + dir, "-cp", cp,
                "kafka.Kafka", config.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("broker.log").toFile()).start();
        SecureKafkaBroker broker = new SecureKafkaBroker(dir, p, port, userPass);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!listening(port)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the SASL_SSL broker did not start; its log: "
                            + Files.readString(dir.resolve("broker.log")));
                }
                Thread.sleep(100);
            }
            return broker;
        } catch (Exception e) {
            broker.close();
            throw e;
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
