package dev.abtest.starter.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key set behind {@code AUTH_JWKS_URL}, fetched at most once per {@link #MIN_REFETCH}. A token
 * whose {@code kid} is unknown may trigger one refetch when the last one is older than that (the
 * issuer rotated its keys); otherwise it simply finds no key, which is a 401, however often it is
 * sent. Only when no key set could ever be had is the answer "keys unavailable" (503). A set older
 * than {@link #MAX_AGE} is refreshed on the next use (within the same once-a-minute limit), and a
 * failed refresh keeps the keys already known.
 */
final class JwksKeys implements JWKSource<SecurityContext> {
  static final Duration MIN_REFETCH = Duration.ofMinutes(1);
  static final Duration MAX_AGE = Duration.ofMinutes(15);

  private static final Logger log = LoggerFactory.getLogger(JwksKeys.class);

  private final URL url;
  private final ResourceRetriever retriever;
  private final Clock clock;
  private JWKSet keys;
  private Instant fetchedAt;
  private Instant lastAttempt;

  JwksKeys(URL url, ResourceRetriever retriever, Clock clock) {
    this.url = url;
    this.retriever = retriever;
    this.clock = clock;
  }

  @Override
  public synchronized List<JWK> get(JWKSelector selector, SecurityContext context)
      throws KeySourceException {
    Instant now = clock.instant();
    if (keys == null || fetchedAt.plus(MAX_AGE).isBefore(now)) {
      refetchIfAllowed(now);
    }
    if (keys == null) {
      throw new KeySourceException("the key set at " + url + " could not be fetched");
    }
    List<JWK> found = selector.select(keys);
    if (found.isEmpty() && refetchIfAllowed(now)) {
      found = selector.select(keys);
    }
    return found;
  }

  /** Fetches unless the last attempt is less than a minute old; true when a new set came in. */
  private boolean refetchIfAllowed(Instant now) {
    if (lastAttempt != null && lastAttempt.plus(MIN_REFETCH).isAfter(now)) {
      return false;
    }
    lastAttempt = now;
    try {
      Resource resource = retriever.retrieveResource(url);
      keys = JWKSet.parse(resource.getContent());
      fetchedAt = now;
      return true;
    } catch (IOException | ParseException e) {
      log.warn("Cannot fetch the token verification keys: {}", e.getMessage());
      return false;
    }
  }
}
