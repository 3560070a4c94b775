# Build: docker build -t quotebot .
# Run:   docker run -e DISCORD_TOKEN -v quotebot-state:/opt/quotebot/state quotebot
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN useradd --system --home-dir /opt/quotebot quotebot \
    && mkdir -p /opt/quotebot/state \
    && chown quotebot:quotebot /opt/quotebot/state
COPY --from=build /src/target/release/quotebot /opt/quotebot/quotebot
COPY config.toml /opt/quotebot/config.toml
COPY data /opt/quotebot/data
# Moderators change the data from Discord: the bot user owns it (mount a volume to keep it).
RUN chown -R quotebot:quotebot /opt/quotebot/data
USER quotebot
WORKDIR /opt/quotebot
VOLUME /opt/quotebot/state /opt/quotebot/data
# Validates config and data, then connects; the token comes only from the environment.
ENTRYPOINT ["/opt/quotebot/quotebot", "--config", "/opt/quotebot/config.toml"]
CMD ["run"]
