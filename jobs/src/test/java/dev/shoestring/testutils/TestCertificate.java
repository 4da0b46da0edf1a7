package dev.shoestring.testutils;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for 127.0.0.1 and localhost, made with the JDK's keytool: a
 * PKCS12 keystore for the server, and the certificate as PEM for a client to trust.
 */
public final class TestCertificate {
    static final String PEM = "ca.pem";

    /** The server's key and certificate, PKCS12. */
    public final Path keystore;
    public final String storePassword;
    /** The certificate alone, PEM: what a client's trust store must hold. */
    public final Path pem;

    private TestCertificate(Path keystore, String storePassword, Path pem) {
        this.keystore = keystore;
        this.storePassword = storePassword;
        this.pem = pem;
    }

    public static TestCertificate create(Path dir) throws Exception {
        String pass = UUID.randomUUID().toString();
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(dir, keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", "server.p12",
                "-storetype", "PKCS12", "-storepass", pass, "-keypass", pass);
        run(dir, keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", "server.p12", "-storepass", pass,
                "-file", PEM);
        return new TestCertificate(dir.resolve("server.p12"), pass, dir.resolve(PEM));
    }

    /** Runs a tool in {@code dir}; fails with its output unless it exits 0 within a minute. */
    static void run(Path dir, String... cmd) throws Exception {
        List<String> command = new ArrayList<>(List.of(cmd));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command.get(0) + " " + command.get(1) + " failed: " + out);
        }
    }
}
