package dev.abtest.starter.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import dev.abtest.runtime.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads {@code AUTH_JWT_PUBLIC_KEY_FILE}: a PEM "PUBLIC KEY" (RSA or EC) or "CERTIFICATE", with the
 * JDK's own key factories (Nimbus needs BouncyCastle for PEM).
 */
final class PublicKeys {
  /** A key and the one algorithm tokens signed with it may use. */
  record Verification(PublicKey key, JWSAlgorithm algorithm) {}

  private PublicKeys() {}

  static Verification read(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigException("AUTH_JWT_PUBLIC_KEY_FILE cannot be read: " + file);
    }
    try {
      return verification(parse(pem));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new ConfigException(
          "AUTH_JWT_PUBLIC_KEY_FILE must hold a PEM RSA or EC public key (BEGIN PUBLIC KEY) or"
              + " certificate: "
              + file);
    }
  }

  private static PublicKey parse(String pem) throws GeneralSecurityException {
    if (pem.contains("-----BEGIN CERTIFICATE-----")) {
      byte[] der = body(pem, "CERTIFICATE");
      return CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der))
          .getPublicKey();
    }
    X509EncodedKeySpec spec = new X509EncodedKeySpec(body(pem, "PUBLIC KEY"));
    try {
      return KeyFactory.getInstance("RSA").generatePublic(spec);
    } catch (GeneralSecurityException notRsa) {
      return KeyFactory.getInstance("EC").generatePublic(spec);
    }
  }

  private static byte[] body(String pem, String label) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("no " + label + " block");
    }
    return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
  }

  static Verification verification(PublicKey key) throws GeneralSecurityException {
    if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() < 2048) {
        throw new GeneralSecurityException("RSA keys must have at least 2048 bits");
      }
      return new Verification(rsa, JWSAlgorithm.RS256);
    }
    if (key instanceof ECPublicKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      JWSAlgorithm algorithm;
      if (Curve.P_256.equals(curve)) {
        algorithm = JWSAlgorithm.ES256;
      } else if (Curve.P_384.equals(curve)) {
        algorithm = JWSAlgorithm.ES384;
      } else if (Curve.P_521.equals(curve)) {
        algorithm = JWSAlgorithm.ES512;
      } else {
        throw new GeneralSecurityException("unsupported EC curve");
      }
      return new Verification(ec, algorithm);
    }
    throw new GeneralSecurityException("unsupported key type " + key.getAlgorithm());
  }
}
