//! Fact of the day: which fact each channel gets on which local day, and when it is due.
//!
//! Every decision is a pure function of the channel's settings, its ledger (what was posted,
//! what was about to be), the facts in the catalog and the current instant. Nothing here sleeps
//! or keeps a timer: the scheduler asks again after each post, after waking, after a restart,
//! and the answer is the same, which is what makes posting exactly once per local day possible.
//!
//! - A post is due once the channel's local time of day has passed on a local date that has no
//!   post yet. After downtime across the post time there is one catch-up post for the current
//!   local day, never one per missed day.
//! - A post time inside a spring-forward gap is due at the first valid instant after the gap; a
//!   post time inside a fall-back fold is due at its first occurrence.
//! - Facts rotate in a deterministic shuffled order per channel and cycle: each once per cycle;
//!   facts added mid-cycle join it, removed facts are skipped.
//! - Before sending, the scheduler records an intent (date, fact, nonce); a restart resends the
//!   same fact with the same nonce, which Discord de-duplicates.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use serde::{Deserialize, Serialize};

use super::model::parse_fixed_digits;

/// One channel's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSchedule {
    pub channel: u64,
    /// The local time of day to post at.
    pub time: Time,
    pub time_zone: TimeZone,
}

/// "HH:MM" on a 24-hour clock: exactly two digits each (no sign, no space).
pub fn parse_time_of_day(text: &str) -> Option<Time> {
    let (h, m) = text.split_once(':')?;
    Time::new(parse_fixed_digits(h, 2)?, parse_fixed_digits(m, 2)?, 0, 0).ok()
}

/// A server's own fact-of-the-day setting, made with `/fotd set` by its managers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuildSetting {
    pub channel: u64,
    pub hour: u8,
    pub minute: u8,
    /// A valid IANA time zone name (checked when set, again when loaded).
    pub timezone: String,
}

impl GuildSetting {
    /// The schedule this setting says, or what is wrong with it: the checks `/fotd set` makes,
    /// made again on everything read back from disk, and the one place its values are parsed.
    pub fn parse(&self) -> Result<ChannelSchedule, String> {
        if self.channel == 0 {
            return Err("channel is 0, which is not a channel id".into());
        }
        if self.hour > 23 {
            return Err(format!(
                "hour {} is not an hour of the day (0-23)",
                self.hour
            ));
        }
        if self.minute > 59 {
            return Err(format!("minute {} is not a minute (0-59)", self.minute));
        }
        let time_zone = TimeZone::get(&self.timezone)
            .map_err(|_| format!("{:?} is not an IANA time zone", self.timezone))?;
        let time = Time::new(self.hour as i8, self.minute as i8, 0, 0)
            .map_err(|e| format!("{}:{} is not a time of day: {e}", self.hour, self.minute))?;
        Ok(ChannelSchedule {
            channel: self.channel,
            time,
            time_zone,
        })
    }

    /// What is wrong with this setting, if anything.
    pub fn problem(&self) -> Option<String> {
        self.parse().err()
    }

    /// The schedule, for a valid setting only.
    pub fn schedule(&self) -> Option<ChannelSchedule> {
        self.parse().ok()
    }
}

/// What was sent, or was about to be, to one channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    /// The last local date a fact was posted on.
    #[serde(default)]
    pub last_posted: Option<Date>,
    /// The fact posted then.
    #[serde(default)]
    pub last_fact: Option<String>,
    /// The rotation cycle, and the facts already posted in it.
    #[serde(default)]
    pub cycle: u32,
    #[serde(default)]
    pub posted: Vec<String>,
    /// A post that was being sent when the process last stopped.
    #[serde(default)]
    pub intent: Option<Intent>,
    /// A local date on which posting failed for good (no access to the channel).
    #[serde(default)]
    pub failed: Option<Date>,
}

impl Ledger {
    /// What is wrong with a ledger read back from disk, if anything.
    pub fn problem(&self) -> Option<String> {
        if let Some(intent) = &self.intent {
            if intent.fact.is_empty() {
                return Some("intent.fact is empty".into());
            }
            if intent.nonce.is_empty() || intent.nonce.len() > 25 {
                return Some(format!(
                    "intent.nonce {:?} is not 1 to 25 characters",
                    intent.nonce
                ));
            }
        }
        if self.last_fact.as_deref() == Some("") || self.posted.iter().any(String::is_empty) {
            return Some("an empty fact id".into());
        }
        None
    }
}

/// What is wrong with a set of ledgers read back from disk: the first problem, with the
/// channel it is in.
pub fn ledgers_problem<'l>(
    ledgers: impl IntoIterator<Item = (&'l u64, &'l Ledger)>,
) -> Option<String> {
    ledgers.into_iter().find_map(|(channel, ledger)| {
        if *channel == 0 {
            return Some("channel 0 is not a channel id".to_string());
        }
        ledger.problem().map(|p| format!("channel {channel}: {p}"))
    })
}

/// What is wrong with a set of server settings read back from disk: the first problem, with
/// the server it is in.
pub fn settings_problem<'s>(
    settings: impl IntoIterator<Item = (&'s u64, &'s GuildSetting)>,
) -> Option<String> {
    settings.into_iter().find_map(|(guild, setting)| {
        if *guild == 0 {
            return Some("server 0 is not a server id".to_string());
        }
        setting.problem().map(|p| format!("server {guild}: {p}"))
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    pub date: Date,
    pub fact: String,
    pub nonce: String,
}

/// A post to make now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub channel: u64,
    pub date: Date,
    pub fact: String,
    /// At most 25 characters, as Discord requires; the same for a resend.
    pub nonce: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Post(Post),
    /// Nothing to do before this instant.
    Wait(Timestamp),
}

/// The local date at an instant.
pub fn local_date(now: Timestamp, time_zone: &TimeZone) -> Date {
    now.to_zoned_datetime(time_zone.clone()).date()
}

/// The instant of a local time of day on a local date: in a gap, the first valid instant
/// after it; in a fold, the first occurrence.
pub fn post_instant(date: Date, time: Time, time_zone: &TimeZone) -> Timestamp {
    let local = date.to_datetime(time);
    let ambiguous = time_zone.to_ambiguous_timestamp(local);
    match ambiguous.offset() {
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the later offset, the time falls before the transition; the first
            // transition after that is the end of the gap.
            let before_gap = after.to_timestamp(local).unwrap_or(Timestamp::UNIX_EPOCH);
            time_zone
                .following(before_gap)
                .next()
                .map(|t| t.timestamp())
                .unwrap_or(before_gap)
        }
        _ => ambiguous.earlier().unwrap_or(Timestamp::UNIX_EPOCH),
    }
}

/// A stable 64-bit hash (FNV-1a), so rotation orders and nonces survive upgrades.
fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf29ce484222325;
    for part in parts {
        for b in part.iter().chain(&[0xff]) {
            hash ^= *b as u64;
            hash = hash.wrapping_mul(0x100000001b3);
        }
    }
    hash
}

/// The nonce for a channel's post on a date: the same on every attempt.
pub fn nonce(channel: u64, date: Date) -> String {
    let hash = stable_hash(&[&channel.to_le_bytes(), date.to_string().as_bytes()]);
    format!("fotd{hash:016x}")
}

/// The facts in this channel's shuffled order for a cycle.
pub fn rotation<'f>(channel: u64, cycle: u32, facts: &[&'f str]) -> Vec<&'f str> {
    let mut order: Vec<&str> = facts.to_vec();
    order.sort_by_key(|f| {
        (
            stable_hash(&[&channel.to_le_bytes(), &cycle.to_le_bytes(), f.as_bytes()]),
            *f,
        )
    });
    order
}

/// The next fact for a channel, and whether it starts a new cycle. A stale intent's fact
/// (one that may have been posted before a crash on an earlier day) counts as posted.
fn pick(channel: u64, ledger: &Ledger, facts: &[&str]) -> Option<(String, bool)> {
    let used = |f: &str| {
        ledger.posted.iter().any(|p| p == f) || ledger.intent.as_ref().is_some_and(|i| i.fact == f)
    };
    if let Some(fact) = rotation(channel, ledger.cycle, facts)
        .into_iter()
        .find(|f| !used(f))
    {
        return Some((fact.to_string(), false));
    }
    // A new cycle never opens with the fact that closed the last one.
    let next = rotation(channel, ledger.cycle.wrapping_add(1), facts);
    let fresh = next
        .iter()
        .find(|f| ledger.last_fact.as_deref() != Some(**f))
        .or(next.first());
    fresh.map(|f| (f.to_string(), true))
}

/// What to do for one channel at `now`.
pub fn decide(
    schedule: &ChannelSchedule,
    ledger: &Ledger,
    facts: &[&str],
    now: Timestamp,
) -> Decision {
    let tz = &schedule.time_zone;
    let today = local_date(now, tz);
    let next_day = |date: Date| {
        let tomorrow = date.tomorrow().unwrap_or(date);
        Decision::Wait(post_instant(tomorrow, schedule.time, tz))
    };
    // A last post dated after today (the clock ran ahead when it was made) does not silence
    // the channel until that date: today still gets its post.
    if ledger.last_posted == Some(today) || ledger.failed == Some(today) {
        return next_day(today);
    }
    let due = post_instant(today, schedule.time, tz);
    if now < due {
        return Decision::Wait(due);
    }
    // A send that was under way for today is finished with the same fact and nonce.
    if let Some(intent) = &ledger.intent
        && intent.date == today
        && facts.contains(&intent.fact.as_str())
    {
        return Decision::Post(Post {
            channel: schedule.channel,
            date: today,
            fact: intent.fact.clone(),
            nonce: intent.nonce.clone(),
        });
    }
    match pick(schedule.channel, ledger, facts) {
        Some((fact, _)) => Decision::Post(Post {
            channel: schedule.channel,
            date: today,
            fact,
            nonce: nonce(schedule.channel, today),
        }),
        None => next_day(today),
    }
}

/// The ledger once `post` is about to be sent.
pub fn with_intent(ledger: &Ledger, post: &Post) -> Ledger {
    let mut next = settle_stale_intent(ledger, post.date);
    next.intent = Some(Intent {
        date: post.date,
        fact: post.fact.clone(),
        nonce: post.nonce.clone(),
    });
    next
}

/// The ledger once `post` was sent.
pub fn with_posted(ledger: &Ledger, post: &Post, facts: &[&str]) -> Ledger {
    let mut next = settle_stale_intent(ledger, post.date);
    next.intent = None;
    let in_cycle = rotation(post.channel, next.cycle, facts)
        .into_iter()
        .any(|f| f == post.fact && !next.posted.iter().any(|p| p == f));
    if !in_cycle {
        next.cycle = next.cycle.wrapping_add(1);
        next.posted.clear();
    }
    next.posted.push(post.fact.clone());
    // Facts no longer in the catalog need not be remembered.
    next.posted.retain(|p| facts.contains(&p.as_str()));
    next.last_posted = Some(post.date);
    next.last_fact = Some(post.fact.clone());
    next
}

/// The ledger once Discord refused `post`'s fact itself (a 400: something in the message it
/// will never accept): the fact counts as used in its cycle, so the next one is posted instead
/// and the refused one is not tried again the next day; the day stays open.
pub fn with_skipped(ledger: &Ledger, post: &Post, facts: &[&str]) -> Ledger {
    let mut next = with_posted(ledger, post, facts);
    next.last_posted = ledger.last_posted;
    next.last_fact = ledger.last_fact.clone();
    next
}

/// The ledger once posting on `date` failed for good.
pub fn with_failure(ledger: &Ledger, date: Date) -> Ledger {
    let mut next = ledger.clone();
    next.intent = None;
    next.failed = Some(date);
    next
}

/// An intent left from an earlier day may or may not have reached Discord; its fact is counted
/// as posted so it is not repeated, and the intent is dropped.
fn settle_stale_intent(ledger: &Ledger, today: Date) -> Ledger {
    let mut next = ledger.clone();
    if let Some(intent) = &ledger.intent
        && intent.date < today
    {
        if !next.posted.contains(&intent.fact) {
            next.posted.push(intent.fact.clone());
        }
        next.intent = None;
    }
    next
}

/// Which fact would be posted on `date`, given the ledger as it stands and `today` (the
/// channel's local date now): every day from the next one to post until `date` is assumed to
/// post in turn. `None` when there are no facts, or for a date that is already past without a
/// recorded post (history beyond the last post is not kept).
///
/// The first day is stepped through like the scheduler would; after it the rotation is a pure
/// function of the day's distance, so any date, however far, costs a few shuffles.
pub fn planned(
    channel: u64,
    ledger: &Ledger,
    facts: &[&str],
    date: Date,
    today: Date,
) -> Option<String> {
    if ledger.last_posted == Some(date) && date <= today {
        return ledger.last_fact.clone();
    }
    let first = next_post_day(ledger, today)?;
    if date < first {
        return None;
    }
    let fact = match &ledger.intent {
        Some(intent) if intent.date == first => intent.fact.clone(),
        _ => pick(channel, ledger, facts)?.0,
    };
    if date == first {
        return Some(fact);
    }
    let post = Post {
        channel,
        date: first,
        fact,
        nonce: String::new(),
    };
    let ledger = with_posted(ledger, &post, facts);
    let days = first.until(date).ok()?.get_days();
    rotation_after(channel, &ledger, facts, u64::try_from(days).ok()? - 1)
}

/// The first local date still to post, seen from `today`: today, or tomorrow when today is
/// done. A last post dated in the future (the clock ran ahead once) does not hold today back.
pub fn next_post_day(ledger: &Ledger, today: Date) -> Option<Date> {
    if ledger.last_posted == Some(today) {
        today.tomorrow().ok()
    } else {
        Some(today)
    }
}

/// The fact posted `n` posts after the ledger's last one (0 = the next), with no intent
/// pending: the rest of the current cycle in rotation order, then whole cycles, each in its own
/// order except that a cycle never opens with the fact that closed the one before.
fn rotation_after(channel: u64, ledger: &Ledger, facts: &[&str], n: u64) -> Option<String> {
    if facts.is_empty() {
        return None;
    }
    let posted: std::collections::HashSet<&str> =
        ledger.posted.iter().map(String::as_str).collect();
    let rest: Vec<&str> = rotation(channel, ledger.cycle, facts)
        .into_iter()
        .filter(|f| !posted.contains(f))
        .collect();
    if let Some(fact) = usize::try_from(n).ok().and_then(|i| rest.get(i)) {
        return Some(fact.to_string());
    }
    let n = n - rest.len() as u64;
    let len = facts.len() as u64;
    let cycles_after = n / len;
    let cycle = ledger
        .cycle
        .checked_add(1)?
        .checked_add(u32::try_from(cycles_after).ok()?)?;
    let closing = |rest: &[&str]| -> Option<String> {
        rest.last()
            .map(|f| f.to_string())
            .or_else(|| ledger.last_fact.clone())
    };
    // The fact that closed the cycle before `cycle`.
    let before = if cycles_after == 0 {
        closing(&rest)
    } else if facts.len() >= 3 {
        // The swap at a cycle's start touches its first two places only.
        rotation(channel, cycle - 1, facts)
            .last()
            .map(|f| f.to_string())
    } else {
        // One or two facts: follow the cycles one by one (each is at most two long).
        let mut last = closing(&rest);
        for c in ledger.cycle + 1..cycle {
            last = cycle_order(channel, c, facts, last.as_deref())
                .last()
                .map(|f| f.to_string());
        }
        last
    };
    let order = cycle_order(channel, cycle, facts, before.as_deref());
    order.get((n % len) as usize).map(|f| f.to_string())
}

/// A whole cycle's order after a cycle that closed with `before`.
fn cycle_order<'f>(
    channel: u64,
    cycle: u32,
    facts: &[&'f str],
    before: Option<&str>,
) -> Vec<&'f str> {
    let mut order = rotation(channel, cycle, facts);
    if order.len() >= 2 && before == Some(order[0]) {
        order.swap(0, 1);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn schedule(zone: &str, hour: i8, minute: i8) -> ChannelSchedule {
        ChannelSchedule {
            channel: 42,
            time: Time::constant(hour, minute, 0, 0),
            time_zone: tz(zone),
        }
    }

    const FACTS: &[&str] = &["a", "b", "c", "d"];

    #[test]
    fn post_instants_handle_daylight_saving_gaps_and_folds() {
        let cases = [
            // An ordinary day in Seoul (no DST): 09:00 KST is 00:00 UTC.
            ("Asia/Seoul", date(2025, 1, 7), 9, 0, "2025-01-07T00:00:00Z"),
            // New York spring forward, 2025-03-09: 02:30 does not exist; first valid is 03:00 EDT.
            (
                "America/New_York",
                date(2025, 3, 9),
                2,
                30,
                "2025-03-09T07:00:00Z",
            ),
            // New York fall back, 2025-11-02: 01:30 happens twice; the first is EDT.
            (
                "America/New_York",
                date(2025, 11, 2),
                1,
                30,
                "2025-11-02T05:30:00Z",
            ),
            // London spring forward, 2025-03-30: 01:15 does not exist; 02:00 BST is 01:00 UTC.
            (
                "Europe/London",
                date(2025, 3, 30),
                1,
                15,
                "2025-03-30T01:00:00Z",
            ),
            // London fall back, 2025-10-26: 01:15 twice; the first is BST (00:15 UTC).
            (
                "Europe/London",
                date(2025, 10, 26),
                1,
                15,
                "2025-10-26T00:15:00Z",
            ),
            // An unaffected time on a DST day.
            (
                "America/New_York",
                date(2025, 3, 9),
                9,
                0,
                "2025-03-09T13:00:00Z",
            ),
        ];
        for (zone, day, h, m, want) in cases {
            assert_eq!(
                post_instant(day, Time::constant(h, m, 0, 0), &tz(zone)),
                at(want),
                "{zone} {day} {h}:{m}"
            );
        }
    }

    fn posted_on(ledger: &Ledger, day: Date, fact: &str) -> Ledger {
        let post = Post {
            channel: 42,
            date: day,
            fact: fact.to_string(),
            nonce: nonce(42, day),
        };
        with_posted(ledger, &post, FACTS)
    }

    #[test]
    fn decisions_table() {
        let seoul = schedule("Asia/Seoul", 9, 0);
        let fresh = Ledger::default();
        let today = date(2025, 1, 7);
        let posted_today = posted_on(&fresh, today, "b");
        let posted_three_days_ago = posted_on(&fresh, date(2025, 1, 4), "b");
        let first = rotation(42, 0, FACTS)[0].to_string();
        let intent_today = with_intent(
            &fresh,
            &Post {
                channel: 42,
                date: today,
                fact: "c".into(),
                nonce: nonce(42, today),
            },
        );
        let post = |fact: &str| {
            Decision::Post(Post {
                channel: 42,
                date: today,
                fact: fact.to_string(),
                nonce: nonce(42, today),
            })
        };
        let cases: Vec<(&str, &Ledger, &str, Decision)> = vec![
            (
                "restart before the post time",
                &fresh,
                "2025-01-06T23:59:00Z",
                Decision::Wait(at("2025-01-07T00:00:00Z")),
            ),
            (
                "at the post time",
                &fresh,
                "2025-01-07T00:00:00Z",
                post(&first),
            ),
            (
                "already posted today",
                &posted_today,
                "2025-01-07T05:00:00Z",
                Decision::Wait(at("2025-01-08T00:00:00Z")),
            ),
            (
                "sent but the ledger not yet written: same fact, same nonce",
                &intent_today,
                "2025-01-07T00:00:05Z",
                post("c"),
            ),
            (
                "down across the post time: one catch-up post",
                &fresh,
                "2025-01-07T14:59:00Z",
                post(&first),
            ),
            (
                "down three days: one post for today only",
                &posted_three_days_ago,
                "2025-01-07T03:00:00Z",
                post(pick(42, &posted_three_days_ago, FACTS).unwrap().0.as_str()),
            ),
            (
                "past local midnight, before the post time of the new day",
                &posted_today,
                "2025-01-07T15:30:00Z",
                Decision::Wait(at("2025-01-08T00:00:00Z")),
            ),
        ];
        for (name, ledger, now, want) in cases {
            assert_eq!(decide(&seoul, ledger, FACTS, at(now)), want, "{name}");
        }
        // Failed for good today: try again tomorrow.
        let failed = with_failure(&fresh, today);
        assert_eq!(
            decide(&seoul, &failed, FACTS, at("2025-01-07T01:00:00Z")),
            Decision::Wait(at("2025-01-08T00:00:00Z"))
        );
    }

    #[test]
    fn daylight_saving_days_post_once_at_the_right_instant() {
        let ny = schedule("America/New_York", 2, 30);
        let fresh = Ledger::default();
        // Spring forward: due at 03:00 EDT (07:00 UTC), not before.
        assert_eq!(
            decide(&ny, &fresh, FACTS, at("2025-03-09T06:59:00Z")),
            Decision::Wait(at("2025-03-09T07:00:00Z"))
        );
        assert!(matches!(
            decide(&ny, &fresh, FACTS, at("2025-03-09T07:00:00Z")),
            Decision::Post(_)
        ));
        // Fall back: 01:30 at its first occurrence, and not again an hour later.
        let ny = schedule("America/New_York", 1, 30);
        let Decision::Post(post) = decide(&ny, &fresh, FACTS, at("2025-11-02T05:30:00Z")) else {
            panic!("due at the first 01:30");
        };
        let after = with_posted(&fresh, &post, FACTS);
        assert_eq!(
            decide(&ny, &after, FACTS, at("2025-11-02T06:30:00Z")),
            Decision::Wait(at("2025-11-03T06:30:00Z"))
        );
        // London, both transitions.
        let london = schedule("Europe/London", 1, 15);
        assert_eq!(
            decide(&london, &fresh, FACTS, at("2025-03-30T00:30:00Z")),
            Decision::Wait(at("2025-03-30T01:00:00Z"))
        );
        assert_eq!(
            decide(&london, &fresh, FACTS, at("2025-10-26T00:00:00Z")),
            Decision::Wait(at("2025-10-26T00:15:00Z"))
        );
    }

    #[test]
    fn two_channels_in_different_zones_are_due_at_their_own_local_times() {
        let seoul = ChannelSchedule {
            channel: 1,
            ..schedule("Asia/Seoul", 9, 0)
        };
        let ny = ChannelSchedule {
            channel: 2,
            ..schedule("America/New_York", 9, 0)
        };
        let fresh = Ledger::default();
        let now = at("2025-01-07T01:00:00Z"); // 10:00 in Seoul, 20:00 the day before in New York
        assert!(
            matches!(decide(&seoul, &fresh, FACTS, now), Decision::Post(p) if p.date == date(2025, 1, 7))
        );
        // New York already had its post for the 6th; its 7th starts at 09:00 EST.
        let ny_posted = posted_on(&fresh, date(2025, 1, 6), "a");
        assert_eq!(
            decide(&ny, &ny_posted, FACTS, now),
            Decision::Wait(at("2025-01-07T14:00:00Z"))
        );
    }

    #[test]
    fn every_fact_once_per_cycle_with_additions_and_removals() {
        let mut ledger = Ledger::default();
        let mut day = date(2025, 1, 1);
        let mut seen = Vec::new();
        for _ in 0..4 {
            let (fact, _) = pick(42, &ledger, FACTS).unwrap();
            seen.push(fact.clone());
            ledger = posted_on(&ledger, day, &fact);
            day = day.tomorrow().unwrap();
        }
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(sorted, FACTS, "one cycle is every fact once");
        // The next cycle starts over, in another deterministic order.
        let (next, new_cycle) = pick(42, &ledger, FACTS).unwrap();
        assert!(new_cycle);
        let last = seen.last().unwrap();
        assert_ne!(
            &next, last,
            "a new cycle does not open with the fact that closed the last"
        );
        let expected = rotation(42, 1, FACTS)
            .into_iter()
            .find(|f| f != last)
            .unwrap();
        assert_eq!(next, expected);

        // Mid-cycle: a fact is removed and another added.
        let mut ledger = posted_on(
            &Ledger::default(),
            date(2025, 1, 1),
            rotation(42, 0, FACTS)[0],
        );
        let removed = rotation(42, 0, FACTS)[1];
        let facts: Vec<&str> = FACTS
            .iter()
            .copied()
            .filter(|f| *f != removed)
            .chain(["e"])
            .collect();
        let mut rest = Vec::new();
        for n in 0..3 {
            let (fact, new_cycle) = pick(42, &ledger, &facts).unwrap();
            assert!(!new_cycle, "still the first cycle at {n}");
            rest.push(fact.clone());
            let post = Post {
                channel: 42,
                date: date(2025, 1, 2 + n),
                fact,
                nonce: String::new(),
            };
            ledger = with_posted(&ledger, &post, &facts);
        }
        assert!(
            rest.contains(&"e".to_string()),
            "the new fact joins the cycle"
        );
        assert!(
            !rest.contains(&removed.to_string()),
            "the removed fact is skipped"
        );
        assert!(pick(42, &ledger, &facts).unwrap().1, "then a new cycle");
    }

    #[test]
    fn a_stale_intent_is_not_repeated_the_next_day() {
        let stale = with_intent(
            &Ledger::default(),
            &Post {
                channel: 42,
                date: date(2025, 1, 6),
                fact: "a".into(),
                nonce: "n".into(),
            },
        );
        let Decision::Post(post) = decide(
            &schedule("Asia/Seoul", 9, 0),
            &stale,
            FACTS,
            at("2025-01-07T00:00:00Z"),
        ) else {
            panic!("due");
        };
        assert_ne!(post.fact, "a");
        let after = with_posted(&stale, &post, FACTS);
        assert!(after.posted.contains(&"a".to_string()) && after.intent.is_none());
    }

    #[test]
    fn planned_matches_what_is_then_posted_day_after_day() {
        let seoul = schedule("Asia/Seoul", 9, 0);
        let first_day = date(2025, 1, 1);
        let plan: Vec<String> = (1..=9)
            .map(|d| planned(42, &Ledger::default(), FACTS, date(2025, 1, d), first_day).unwrap())
            .collect();
        // Posting day by day gives the plan made on the first day, never the same fact twice
        // in a row, and every fact within each cycle.
        let mut ledger = Ledger::default();
        let mut day = first_day;
        for expected in &plan {
            let now = post_instant(day, seoul.time, &seoul.time_zone);
            let Decision::Post(post) = decide(&seoul, &ledger, FACTS, now) else {
                panic!()
            };
            assert_eq!(&post.fact, expected, "{day}");
            ledger = with_posted(&ledger, &post, FACTS);
            day = day.tomorrow().unwrap();
        }
        assert!(plan.windows(2).all(|w| w[0] != w[1]), "{plan:?}");
        let mut first_cycle = plan[..4].to_vec();
        first_cycle.sort();
        assert_eq!(first_cycle, FACTS);
        assert_eq!(
            planned(42, &ledger, FACTS, date(2025, 1, 9), day),
            ledger.last_fact
        );
        assert_eq!(planned(42, &ledger, FACTS, date(2025, 1, 2), day), None);
    }

    #[test]
    fn nonces_fit_discords_limit_and_never_change_across_versions() {
        // Pinned: a nonce decides whether Discord sees a retry as the same post, also across
        // an upgrade made between an attempt and its retry.
        let n = nonce(u64::MAX, date(2025, 1, 7));
        assert!(n.len() <= 25);
        assert_eq!(n, "fotd5cfa821b75f5dae4");
        assert_eq!(nonce(1, date(2026, 12, 2)), "fotd5d980bfdff4e212b");
        assert_ne!(n, nonce(u64::MAX, date(2025, 1, 8)));
    }

    #[test]
    fn rotation_orders_never_change_across_versions() {
        // Pinned: the ledger stores which facts a cycle has posted, and the order decides what
        // comes next, so an upgrade must not reshuffle a cycle in progress.
        assert_eq!(rotation(42, 0, FACTS), ["d", "a", "c", "b"]);
        assert_eq!(rotation(42, 1, FACTS), ["b", "c", "a", "d"]);
        assert_eq!(
            rotation(1234567890123456789, 7, FACTS),
            ["c", "b", "a", "d"]
        );
    }

    /// `planned` as it was: every day stepped through, one pick and one post at a time.
    fn planned_by_steps(
        channel: u64,
        ledger: &Ledger,
        facts: &[&str],
        date: Date,
        today: Date,
    ) -> Option<String> {
        if ledger.last_posted == Some(date) && date <= today {
            return ledger.last_fact.clone();
        }
        let mut ledger = ledger.clone();
        let mut day = next_post_day(&ledger, today)?;
        if date < day {
            return None;
        }
        loop {
            let fact = match &ledger.intent {
                Some(intent) if intent.date == day => intent.fact.clone(),
                _ => pick(channel, &ledger, facts)?.0,
            };
            if day >= date {
                return Some(fact);
            }
            let post = Post {
                channel,
                date: day,
                fact,
                nonce: String::new(),
            };
            ledger = with_posted(&ledger, &post, facts);
            day = day.tomorrow().ok()?;
        }
    }

    #[test]
    fn planned_far_ahead_is_what_posting_day_by_day_would_give() {
        let names: Vec<String> = (0..7).map(|i| format!("f{i}")).collect();
        let today = date(2025, 1, 7);
        for size in [1, 2, 3, 4, 7] {
            let facts: Vec<&str> = names[..size].iter().map(String::as_str).collect();
            let fresh = Ledger::default();
            let mid_cycle = with_posted(
                &fresh,
                &Post {
                    channel: 42,
                    date: date(2025, 1, 6),
                    fact: rotation(42, 0, &facts)[0].to_string(),
                    nonce: String::new(),
                },
                &facts,
            );
            let posted_today = with_posted(
                &mid_cycle,
                &Post {
                    channel: 42,
                    date: today,
                    fact: pick(42, &mid_cycle, &facts).unwrap().0,
                    nonce: String::new(),
                },
                &facts,
            );
            let intent_today = with_intent(
                &mid_cycle,
                &Post {
                    channel: 42,
                    date: today,
                    fact: facts[size - 1].to_string(),
                    nonce: "n".into(),
                },
            );
            let stale_intent = with_intent(
                &fresh,
                &Post {
                    channel: 42,
                    date: date(2025, 1, 2),
                    fact: facts[0].to_string(),
                    nonce: "n".into(),
                },
            );
            let mut removed = mid_cycle.clone();
            removed.posted.push("gone".into());
            removed.last_fact = Some("gone".into());
            let mut complete = fresh.clone();
            complete.posted = facts.iter().map(|f| f.to_string()).collect();
            complete.last_fact = Some(rotation(42, 0, &facts)[0].to_string());
            complete.last_posted = Some(date(2025, 1, 6));
            let ledgers = [
                ("fresh", fresh),
                ("mid-cycle", mid_cycle),
                ("posted today", posted_today),
                ("intent today", intent_today),
                ("stale intent", stale_intent),
                ("a removed fact", removed),
                ("a complete cycle", complete),
            ];
            for (name, ledger) in &ledgers {
                for offset in 0..40 {
                    let day = today.checked_add(jiff::Span::new().days(offset)).unwrap();
                    assert_eq!(
                        planned(42, ledger, &facts, day, today),
                        planned_by_steps(42, ledger, &facts, day, today),
                        "{size} facts, {name}, {day}"
                    );
                }
            }
        }
        // Fifty years ahead: the same as stepping through every day.
        let facts: Vec<&str> = names[..5].iter().map(String::as_str).collect();
        let far = date(2075, 3, 1);
        let ledger = Ledger::default();
        let got = planned(42, &ledger, &facts, far, today);
        assert!(got.is_some());
        assert_eq!(got, planned_by_steps(42, &ledger, &facts, far, today));
    }

    #[test]
    fn planned_answers_fifty_years_ahead_with_thousands_of_facts() {
        let names: Vec<String> = (0..3000).map(|i| format!("fact-{i}")).collect();
        let facts: Vec<&str> = names.iter().map(String::as_str).collect();
        let today = date(2025, 1, 7);
        let fact = planned(42, &Ledger::default(), &facts, date(2075, 1, 7), today);
        assert!(fact.is_some_and(|f| facts.contains(&f.as_str())));
        // And near dates agree with stepping through, at this size too.
        for offset in [0, 1, 5] {
            let day = today.checked_add(jiff::Span::new().days(offset)).unwrap();
            assert_eq!(
                planned(42, &Ledger::default(), &facts, day, today),
                planned_by_steps(42, &Ledger::default(), &facts, day, today)
            );
        }
    }

    #[test]
    fn a_last_post_dated_in_the_future_does_not_silence_today() {
        let seoul = schedule("Asia/Seoul", 9, 0);
        let today = date(2025, 1, 7);
        let ahead = posted_on(&Ledger::default(), date(2026, 5, 1), "b");
        let Decision::Post(post) = decide(&seoul, &ahead, FACTS, at("2025-01-07T00:00:30Z")) else {
            panic!("due today");
        };
        assert_eq!(post.date, today);
        assert_ne!(post.fact, "b");
        assert_eq!(
            planned(42, &ahead, FACTS, today, today).as_deref(),
            Some(post.fact.as_str()),
            "the plan agrees"
        );
        let after = with_posted(&ahead, &post, FACTS);
        assert_eq!(after.last_posted, Some(today));
        assert_eq!(
            decide(&seoul, &after, FACTS, at("2025-01-07T05:00:00Z")),
            Decision::Wait(at("2025-01-08T00:00:00Z"))
        );
    }

    #[test]
    fn a_skipped_fact_is_used_up_for_the_cycle_and_the_day_stays_open() {
        let seoul = schedule("Asia/Seoul", 9, 0);
        let now = at("2025-01-07T00:00:30Z");
        let Decision::Post(refused) = decide(&seoul, &Ledger::default(), FACTS, now) else {
            panic!("due");
        };
        let intent = with_intent(&Ledger::default(), &refused);
        let skipped = with_skipped(&intent, &refused, FACTS);
        assert_eq!(skipped.last_posted, None, "the day is still to post");
        assert!(skipped.intent.is_none());
        let Decision::Post(next) = decide(&seoul, &skipped, FACTS, now) else {
            panic!("still due today");
        };
        assert_ne!(next.fact, refused.fact);
        let posted = with_posted(&skipped, &next, FACTS);
        // The rest of the cycle never comes back to the refused fact.
        let mut ledger = posted;
        let mut day = date(2025, 1, 8);
        for _ in 0..2 {
            let fact = pick(42, &ledger, FACTS).unwrap().0;
            assert_ne!(fact, refused.fact);
            ledger = posted_on(&ledger, day, &fact);
            day = day.tomorrow().unwrap();
        }
    }

    #[test]
    fn settings_and_ledgers_out_of_range_are_named() {
        let setting = |channel, hour, minute, zone: &str| GuildSetting {
            channel,
            hour,
            minute,
            timezone: zone.into(),
        };
        assert_eq!(setting(1, 9, 0, "Asia/Seoul").problem(), None);
        let cases = [
            (setting(1, 24, 0, "Asia/Seoul"), "hour 24"),
            (setting(1, 9, 60, "Asia/Seoul"), "minute 60"),
            (setting(1, 9, 0, "Mars/Olympus"), "Mars/Olympus"),
            (setting(0, 9, 0, "Asia/Seoul"), "channel is 0"),
        ];
        for (bad, words) in cases {
            assert!(bad.problem().unwrap().contains(words), "{bad:?}");
            assert!(bad.schedule().is_none(), "{bad:?} is never scheduled");
        }
        let mut settings = std::collections::BTreeMap::new();
        settings.insert(7u64, setting(1, 24, 0, "UTC"));
        assert!(
            settings_problem(&settings)
                .unwrap()
                .starts_with("server 7: hour 24")
        );
        let mut ledgers = std::collections::BTreeMap::new();
        let ledger = Ledger {
            intent: Some(Intent {
                date: date(2025, 1, 7),
                fact: "a".into(),
                nonce: "x".repeat(26),
            }),
            ..Ledger::default()
        };
        ledgers.insert(5u64, ledger);
        assert!(
            ledgers_problem(&ledgers)
                .unwrap()
                .starts_with("channel 5: intent.nonce")
        );
        // An out-of-range hour cannot reach `post_instant`: a `Time` cannot hold one.
    }
}
