# syntax=docker/dockerfile:1
# The worker image, built from this repository's sources: docker compose build worker
# (or: docker build -f docker/worker.Dockerfile -t experiment-activation-worker .).
# No credentials are baked in: every setting, secrets included, arrives as an environment variable.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The cache mount keeps downloaded dependencies between builds without putting them in a layer;
# sharing=locked: compose builds both images at once, and two Maven runs must not write one cache.
RUN --mount=type=cache,target=/root/.m2,sharing=locked \
    mvn -B -DskipTests -pl worker -am package \
    && cp worker/target/worker.jar /worker.jar

FROM eclipse-temurin:17-jre
# curl serves the container health check (GET /readyz).
RUN if ! command -v curl >/dev/null 2>&1; then \
      apt-get update && apt-get install -y --no-install-recommends curl \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
    && groupadd --system --gid 10001 abtest \
    && useradd --system --uid 10001 --gid abtest --no-create-home --shell /usr/sbin/nologin abtest
WORKDIR /app
COPY --from=build /worker.jar /app/worker.jar
USER 10001:10001
# Inside a container the HTTP endpoints must listen beyond loopback; compose publishes them on
# 127.0.0.1 of the host only.
ENV HTTP_HOST=0.0.0.0
EXPOSE 8081
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/worker.jar"]
