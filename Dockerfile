# Build: docker build -t quotebot .
# Run:   docker run -d --name quotebot -e DISCORD_TOKEN -v quotebot-data:/opt/quotebot/data -v quotebot-state:/opt/quotebot/state quotebot
#
# Both directories are the record and must outlive the container: `data` is the curated
# database that moderators change from Discord, `state` its audit log, backups and the fact of
# the day's ledger. On first use Docker fills the empty named volume `quotebot-data` with the
# image's bundled data; from then on the volume is the database, and an upgraded image never
# replaces it (see README.md, "Deploying").
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
# Moderators change the data from Discord: the bot user owns it.
RUN chown -R quotebot:quotebot /opt/quotebot/data
USER quotebot
WORKDIR /opt/quotebot
VOLUME /opt/quotebot/state /opt/quotebot/data
# Validates config and data, then connects; the token comes only from the environment.
ENTRYPOINT ["/opt/quotebot/quotebot", "--config", "/opt/quotebot/config.toml"]
CMD ["run"]
