package dev.abtest.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseSettingsTest {

  @Test
  void parsesTheSeedsPostgresqlUrl() {
    DatabaseSettings s =
        DatabaseSettings.parse("postgresql://user:password@localhost:5432/sophra_db");

    assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/sophra_db");
    assertThat(s.user()).isEqualTo("user");
    assertThat(s.password()).isEqualTo("password");
    assertThat(s.poolSize()).isEqualTo(DatabaseSettings.DEFAULT_POOL_SIZE);
    assertThat(s.connectionTimeout()).isEqualTo(DatabaseSettings.DEFAULT_CONNECTION_TIMEOUT);
  }

  @Test
  void defaultsThePortTo5432AndAcceptsThePostgresScheme() {
    DatabaseSettings s = DatabaseSettings.parse("postgres://app:pw@db.internal/experiments");

    assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/experiments");
  }

  @Test
  void percentDecodesUserAndPasswordAndKeepsPlusSigns() {
    DatabaseSettings s =
        DatabaseSettings.parse("postgresql://us%40er:p%40ss%3Aw%2Frd+1@127.0.0.1:6543/db");

    assertThat(s.user()).isEqualTo("us@er");
    assertThat(s.password()).isEqualTo("p@ss:w/rd+1");
    assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:6543/db");
  }

  @Test
  void passesQueryParametersOnAndTranslatesPrismasOwn() {
    DatabaseSettings s =
        DatabaseSettings.parse(
            "postgresql://u:p@h:5432/db?sslmode=require&schema=app&connection_limit=4");

    assertThat(s.jdbcUrl())
        .isEqualTo("jdbc:postgresql://h:5432/db?sslmode=require&currentSchema=app");
    assertThat(s.poolSize()).isEqualTo(4);
  }

  @Test
  void translatesLibpqParameterNamesToTheDriversNames() {
    DatabaseSettings s =
        DatabaseSettings.parse("postgresql://u:p@h/db?application_name=api&connect_timeout=3");

    assertThat(s.jdbcUrl())
        .isEqualTo("jdbc:postgresql://h:5432/db?ApplicationName=api&connectTimeout=3");
  }

  @Test
  void acceptsAnIpv6Host() {
    assertThat(DatabaseSettings.parse("postgresql://u:p@[::1]:5433/db").jdbcUrl())
        .isEqualTo("jdbc:postgresql://[::1]:5433/db");
  }

  @Test
  void takesCredentialsOutOfAJdbcUrl() {
    DatabaseSettings s =
        DatabaseSettings.parse(
            "jdbc:postgresql://h:5432/db?user=app&password=s3cr%26t&sslmode=disable");

    assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db?sslmode=disable");
    assertThat(s.user()).isEqualTo("app");
    assertThat(s.password()).isEqualTo("s3cr&t");
  }

  @Test
  void acceptsAJdbcUrlWithoutCredentials() {
    DatabaseSettings s = DatabaseSettings.parse("jdbc:postgresql://h:5432/db");

    assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db");
    assertThat(s.user()).isNull();
    assertThat(s.password()).isNull();
  }

  @Test
  void redactedUrlShowsOnlyHostPortAndDatabase() {
    assertThat(
            DatabaseSettings.parse("postgresql://u:hunter2@h:5432/db?sslmode=require")
                .redactedUrl())
        .isEqualTo("h:5432/db");
    assertThat(DatabaseSettings.parse("jdbc:postgresql://h:5432/db?password=hunter2").redactedUrl())
        .isEqualTo("h:5432/db");
  }

  @Test
  void toStringMasksThePassword() {
    DatabaseSettings s = DatabaseSettings.parse("postgresql://app:hunter2@h:5432/db");

    assertThat(s.toString()).doesNotContain("hunter2").contains("*****").contains("h:5432/db");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "mysql://u:hunter2@h:3306/db",
        "postgresql://u:hunter2@h:5432/",
        "postgresql://u:hunter2@h:5432",
        "postgresql://u:hunter2@h:port/db",
        "postgresql://u:hunter2@h:99999/db",
        "postgresql://u:hunter2#x@h:5432/db",
        "postgresql://u:hunter2 x@h:5432/db",
        "postgresql://u:hunter2%zz@h:5432/db",
        "postgresql://u:hunter2@h:5432/db/extra",
        "postgresql://u:hunter2@h:5432/db?connection_limit=zero",
        "postgresql://u:hunter2@/db",
        "hunter2",
        "jdbc:postgresql://u:hunter2@h:5432/db",
        "jdbc:postgresql://h:5432/db?user=u&password=hunter2%zz",
      })
  void rejectsAMalformedUrlWithAOneLineMessageWithoutThePassword(String url) {
    assertThatThrownBy(() -> DatabaseSettings.parse(url))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(
            e -> {
              assertThat(e.getMessage()).startsWith("Invalid database URL: ");
              assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("\n");
              assertThat(e.getCause() == null ? "" : String.valueOf(e.getCause().getMessage()))
                  .doesNotContain("hunter2");
            });
  }

  @Test
  void rejectsAnEmptyUrl() {
    assertThatThrownBy(() -> DatabaseSettings.parse(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }
}
