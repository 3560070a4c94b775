//! Test helper: applies one change to the database in DATA_DIR and kills the process at the
//! named write step, as a crash or a power cut would. Used by the crash tests; not a tool.
//!
//! usage: crash_write DATA_DIR STATE_DIR serialized|temp-written|temp-synced|renamed

use quotebot::app::{Actor, App};
use quotebot::core::edit::{Change, Record};
use quotebot::core::model::{Quote, QuoteKind};
use quotebot::store::WriteStep;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let step = match args[3].as_str() {
        "serialized" => WriteStep::Serialized,
        "temp-written" => WriteStep::TempWritten,
        "temp-synced" => WriteStep::TempSynced,
        _ => WriteStep::Renamed,
    };
    let app = App::open(args[1].clone().into(), args[2].clone().into()).expect("valid data");
    app.set_write_hook(move |at| {
        if at == step {
            std::process::abort();
        }
        Ok(())
    });
    let speaker = app.snapshot().catalog.speakers()[0].id.clone();
    let source = app.snapshot().catalog.sources()[0].id.clone();
    let quote = Quote {
        id: "crash-test-quote".into(),
        text: "Written when the power went out.".into(),
        speaker,
        source,
        kind: QuoteKind::Verbatim,
        date: None,
        context: None,
        topics: vec![],
        related: vec![],
        provenance: Default::default(),
    };
    let actor = Actor {
        user: 1,
        guild: None,
    };
    let _ = app.apply(
        vec![Change::add(Record::Quote(quote))],
        actor,
        jiff::Timestamp::UNIX_EPOCH,
    );
}
