fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let catalog = quotebot::store::load_catalog(std::path::Path::new(&dir)).unwrap();
    let t = std::time::Instant::now();
    let index = quotebot::core::search::SearchIndex::build(&catalog);
    eprintln!("build {:?} {}", t.elapsed(), index.len());
}
