//! Interactions through the real bot and a fake Discord on loopback: throughput and
//! interaction → callback latency.
//!
//! ```sh
//! cargo bench --bench interactions -- [--rate 100] [--seconds 10]
//! ```
//!
//! The fake is the one the end-to-end tests use. Latency is measured from the moment the
//! INTERACTION_CREATE frame is handed to the fake's gateway writer to the moment the fake has
//! received the bot's callback, so it includes the websocket hop, serenity's parsing, poise's
//! dispatch, the search, rendering, the HTTP request and the fake's own bookkeeping.

#[path = "../tests/it/fake_discord.rs"]
#[allow(dead_code)]
mod fake_discord;

use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_discord::{FakeDiscord, GUILD_ID};
use quotebot::app::App;
use quotebot::config::{Config, Token};

const QUERIES: &[&str] = &[
    "linchpin of pease",
    "blinkin satellite technology",
    "nucelar consultative gruop",
    "extended deterrence",
    "shared democratic values",
    "trilateral cooperation",
    "optimistic future",
    "Putin nuclear weapons",
];

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort_unstable();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1000.0
}

async fn one(fake: Arc<FakeDiscord>, n: usize) -> Duration {
    let query = QUERIES[n % QUERIES.len()];
    let interaction = if n.is_multiple_of(2) {
        fake_discord::slash_command("quote", &[("query", query)])
    } else {
        fake_discord::autocomplete("quote", "query", query)
    };
    let started = Instant::now();
    fake.interact(interaction).await;
    started.elapsed()
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut rate = 100u64;
    let mut seconds = 10u64;
    while let Some(arg) = args.next() {
        let value = args.next().and_then(|v| v.parse().ok()).expect("a number");
        match arg.as_str() {
            "--rate" => rate = value,
            "--seconds" => seconds = value,
            other => panic!("unknown option {other}"),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let catalog = quotebot::store::load_catalog(std::path::Path::new("data")).unwrap();
        let fake = Arc::new(FakeDiscord::start().await);
        let state = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.discord.api_base = fake.api_base().parse().unwrap();
        config.discord.guilds = vec![GUILD_ID];
        config.state_dir = state.path().to_path_buf();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let bot = tokio::spawn(quotebot::discord::run(
            config,
            Token::new("bench-token".into()),
            Arc::new(App::new(catalog)),
            async move {
                let _ = stopped.await;
            },
        ));
        fake.wait_ready().await;
        for n in 0..50 {
            one(fake.clone(), n).await;
        }

        // Paced: `rate` interactions a second, half slash commands, half autocomplete.
        let total = (rate * seconds) as usize;
        let interval = Duration::from_secs_f64(1.0 / rate as f64);
        let mut ticker = tokio::time::interval(interval);
        let mut tasks = Vec::with_capacity(total);
        let started = Instant::now();
        for n in 0..total {
            ticker.tick().await;
            tasks.push(tokio::spawn(one(fake.clone(), n)));
        }
        let mut latencies = Vec::with_capacity(total);
        for task in tasks {
            latencies.push(task.await.unwrap());
        }
        let paced = started.elapsed();

        // Unpaced: how many a second the bot sustains with 32 in flight.
        let burst = 2000;
        let started = Instant::now();
        let mut in_flight = Vec::new();
        let mut burst_latencies = Vec::with_capacity(burst);
        for n in 0..burst {
            in_flight.push(tokio::spawn(one(fake.clone(), n)));
            if in_flight.len() == 32 {
                for task in in_flight.drain(..) {
                    burst_latencies.push(task.await.unwrap());
                }
            }
        }
        for task in in_flight {
            burst_latencies.push(task.await.unwrap());
        }
        let burst_time = started.elapsed();

        println!("| load | interactions | per second | p50 ms | p99 ms | max ms |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: |");
        let n = latencies.len();
        println!(
            "| paced at {rate}/s for {seconds} s | {n} | {:.0} | {:.2} | {:.2} | {:.2} |",
            n as f64 / paced.as_secs_f64(),
            percentile(&mut latencies, 0.5),
            percentile(&mut latencies, 0.99),
            percentile(&mut latencies, 1.0)
        );
        println!(
            "| unpaced, 32 in flight | {burst} | {:.0} | {:.2} | {:.2} | {:.2} |",
            burst as f64 / burst_time.as_secs_f64(),
            percentile(&mut burst_latencies, 0.5),
            percentile(&mut burst_latencies, 0.99),
            percentile(&mut burst_latencies, 1.0)
        );
        let _ = stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(10), bot).await;
    });
}
