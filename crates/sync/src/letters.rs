//! Letter numbers whose letters were not written, voided in the office's register
//! (see `bhxh_cache::letters`): at once by the desk that could not write them, and
//! again at each supervisor's round for what the network or a closed app left.

use crate::{CentralClient, SharedCache, SyncError, on_cache};
use bhxh_cache::letters::UnwrittenLetter;
use bhxh_domain::Clock;
use chrono::Duration;
use tracing::{error, info, instrument};

/// Past this, a number noted without its letter belongs to an app that stopped
/// while making them (the letters take seconds), and a register that still does not
/// know the request never received it.
pub const MAKING_LETTERS: Duration = Duration::minutes(10);

/// What a pass over the unwritten numbers did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct VoidReport {
    pub voided: u32,
    /// Asked for but never given: the request did not reach the register.
    pub never_given: u32,
    /// The register refuses to void them (too late, or someone else's): named in the log.
    pub refused: u32,
    /// Kept for a later round (the request may still be on its way).
    pub left: u32,
}

/// Voids in `office`'s register each number this cache noted whose letter is known
/// not written, or was not written in [`MAKING_LETTERS`]. `actor` signs the audit rows.
#[instrument(skip_all)]
pub async fn void_unwritten_letters(
    client: &CentralClient,
    cache: &SharedCache,
    office: &str,
    actor: &str,
    clock: Clock,
) -> Result<VoidReport, SyncError> {
    let now = clock.now();
    let unwritten = on_cache(cache, |c| c.unwritten_letters()).await?;
    let mut report = VoidReport::default();
    for letter in unwritten {
        let stale = now - letter.asked_at > MAKING_LETTERS;
        let Some(reason) =
            letter.reason.clone().or_else(|| stale.then(|| "letter not written: the app stopped".into()))
        else {
            report.left += 1;
            continue;
        };
        let settled = match client.void_letter(office, &letter.id, &reason).await {
            Ok(n) => {
                info!(unit = %letter.unit_code, reference = %n.reference, "letter number voided");
                report.voided += 1;
                Some(Some(n.reference))
            }
            Err(SyncError::Http { status: 404, .. }) if stale => {
                report.never_given += 1;
                Some(None)
            }
            Err(SyncError::Http { status: 404, .. }) => {
                report.left += 1;
                None
            }
            Err(SyncError::Forbidden { message, .. }) => {
                error!(id = %letter.id, unit = %letter.unit_code, %message, "a letter number this PC cannot void");
                report.refused += 1;
                Some(None)
            }
            Err(e) => return Err(e),
        };
        if let Some(reference) = settled {
            settle(cache, letter, reference, actor, clock).await?;
        }
    }
    Ok(report)
}

async fn settle(
    cache: &SharedCache,
    letter: UnwrittenLetter,
    reference: Option<String>,
    actor: &str,
    clock: Clock,
) -> Result<(), SyncError> {
    let actor = actor.to_owned();
    on_cache(cache, move |c| c.letter_number_settled(&letter, reference.as_deref(), &actor, clock.now())).await
}
